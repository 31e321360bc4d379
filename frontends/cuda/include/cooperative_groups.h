/* portable stub header: declarations only, for a device-only parse. */
#pragma once
namespace cooperative_groups {
struct thread_block { __device__ void sync() const; __device__ unsigned int thread_rank() const; __device__ unsigned int size() const; __device__ dim3 group_index() const; __device__ dim3 thread_index() const; };
struct grid_group { __device__ void sync() const; __device__ unsigned long long thread_rank() const; __device__ unsigned long long size() const; __device__ bool is_valid() const; };
template <unsigned N> struct thread_block_tile { __device__ void sync() const; __device__ unsigned int thread_rank() const; __device__ unsigned int size() const; template <class T> __device__ T shfl_down(T, unsigned int) const; template <class T> __device__ T shfl_xor(T, unsigned int) const; template <class T> __device__ T shfl(T, int) const; };
__device__ thread_block this_thread_block(); __device__ grid_group this_grid();
template <unsigned N> __device__ thread_block_tile<N> tiled_partition(const thread_block &);
__device__ void sync(const thread_block &); __device__ void sync(const grid_group &);
}
