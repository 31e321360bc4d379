/* portable stub header: declarations only, for a device-only parse. */
#pragma once
#include <cooperative_groups.h>
/* cg::memcpy_async / cg::wait: declared so files parse; a kernel that calls them gets PORT1004. */
namespace cooperative_groups { template <class G, class T> __device__ void memcpy_async(const G &, T *, const T *, unsigned long); template <class G> __device__ void wait(const G &); template <unsigned N, class G> __device__ void wait_prior(const G &); }
