// CacheHints is header-only (static inline functions); SwiftPM builds a C target from at least
// one source file, and this is it.
#include "CacheHints.h"
