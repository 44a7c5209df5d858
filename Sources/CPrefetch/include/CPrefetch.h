#ifndef SMDRILL_CPREFETCH_H
#define SMDRILL_CPREFETCH_H

/// Asks the processor to start bringing the cache line that holds `address` into its caches, and goes on
/// without waiting: a hint, which never faults, whatever the address. Swift has no way to say this itself.
static inline void smdrill_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
