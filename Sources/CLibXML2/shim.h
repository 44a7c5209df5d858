#ifndef SMDRILL_CLIBXML2_SHIM_H
#define SMDRILL_CLIBXML2_SHIM_H

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlerror.h>

/// libxml2 2.9 declares xmlFree as a global function pointer, which Swift 6 sees as shared mutable state:
/// this wrapper calls it without Swift touching the global.
static inline void smdrill_xml_free(void *pointer) { xmlFree(pointer); }

#endif
