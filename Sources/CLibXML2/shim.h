#ifndef SMDRILL_CLIBXML2_SHIM_H
#define SMDRILL_CLIBXML2_SHIM_H

/* libxml2 built with ICU includes ICU's C headers from its encoding header. Foundation carries its own ICU
 * (_FoundationICU) whose UErrorCode differs from the system's, and a Swift module that imports both fails to
 * build ("UErrorCode has different definitions in different modules"), depending on build order. smdrill
 * never touches the ICU members of libxml2's encoding handler (it only passes pointers), so the ICU part of
 * the headers is left out. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlerror.h>

/// libxml2 2.9 declares xmlFree as a global function pointer, which Swift 6 sees as shared mutable state:
/// this wrapper calls it without Swift touching the global.
static inline void smdrill_xml_free(void *pointer) { xmlFree(pointer); }

#endif
