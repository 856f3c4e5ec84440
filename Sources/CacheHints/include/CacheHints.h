#ifndef SIGNET_CACHE_HINTS_H
#define SIGNET_CACHE_HINTS_H

/// Asks the processor to bring the cache line holding `address` into its level-2 cache, for a
/// read soon (a prefetch hint: no fault, no wait, no effect on results). Swift has no prefetch
/// of its own; static inline, so that a release build inlines it into the loop that calls it.
static inline void signet_prefetch_for_read(const void *address) {
    __builtin_prefetch(address, 0, 2);
}

#endif
