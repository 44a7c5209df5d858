// The one function of this module is inline, in include/CPrefetch.h; SwiftPM builds a C target only from a
// source file.
#include "CPrefetch.h"
