/* portable stub header: declarations only, for a device-only parse. */
#pragma once
namespace cooperative_groups {
/* a group whose size is known only at run time (tiled_partition(g, n), coalesced groups):
   declared so files parse; using one in a kernel is reported */
struct thread_group { __device__ void sync() const; __device__ unsigned long long thread_rank() const; __device__ unsigned long long size() const; __device__ unsigned long long num_threads() const; __device__ unsigned int meta_group_rank() const; __device__ unsigned int meta_group_size() const; };
struct thread_block : thread_group { __device__ void sync() const; __device__ unsigned int thread_rank() const; __device__ unsigned int size() const; __device__ unsigned int num_threads() const; __device__ dim3 group_index() const; __device__ dim3 thread_index() const; __device__ dim3 group_dim() const; __device__ dim3 dim_threads() const; };
struct grid_group { __device__ void sync() const; __device__ unsigned long long thread_rank() const; __device__ unsigned long long size() const; __device__ unsigned long long num_threads() const; __device__ bool is_valid() const; __device__ unsigned long long block_rank() const; __device__ unsigned long long num_blocks() const; __device__ dim3 group_dim() const; __device__ dim3 block_index() const; };
struct coalesced_group : thread_group { __device__ void sync() const; __device__ unsigned int thread_rank() const; __device__ unsigned int size() const; __device__ unsigned int num_threads() const; template <class T> __device__ T shfl(T, int) const; template <class T> __device__ T shfl_down(T, unsigned int) const; template <class T> __device__ T shfl_up(T, unsigned int) const; __device__ unsigned int ballot(int) const; __device__ int any(int) const; __device__ int all(int) const; };
template <unsigned N> struct thread_block_tile : thread_group { __device__ void sync() const; __device__ unsigned int thread_rank() const; __device__ unsigned int size() const; __device__ unsigned int num_threads() const; __device__ unsigned int meta_group_rank() const; __device__ unsigned int meta_group_size() const; template <class T> __device__ T shfl_down(T, unsigned int) const; template <class T> __device__ T shfl_up(T, unsigned int) const; template <class T> __device__ T shfl_xor(T, unsigned int) const; template <class T> __device__ T shfl(T, int) const; template <class T> __device__ T shfl(T, unsigned int) const; __device__ unsigned int ballot(int) const; __device__ int any(int) const; __device__ int all(int) const; };
template <unsigned N> struct block_tile_memory { char data[1]; };
__device__ thread_block this_thread_block(); __device__ grid_group this_grid(); __device__ coalesced_group coalesced_threads();
template <unsigned N> __device__ thread_block_tile<N> tiled_partition(const thread_block &);
template <unsigned N, unsigned M> __device__ thread_block_tile<N> tiled_partition(const thread_block_tile<M> &);
__device__ thread_group tiled_partition(const thread_group &, unsigned int);
__device__ coalesced_group binary_partition(const coalesced_group &, bool);
template <unsigned N> __device__ coalesced_group binary_partition(const thread_block_tile<N> &, bool);
template <class L> __device__ coalesced_group labeled_partition(const coalesced_group &, L);
template <unsigned N, class L> __device__ coalesced_group labeled_partition(const thread_block_tile<N> &, L);
__device__ void sync(const thread_block &); __device__ void sync(const grid_group &);
template <unsigned N> __device__ void sync(const thread_block_tile<N> &);
__device__ void sync(const coalesced_group &); __device__ void sync(const thread_group &);
template <class T> struct plus { __device__ T operator()(T a, T b) const { return a + b; } };
template <class T> struct less { __device__ T operator()(T a, T b) const { return a < b ? a : b; } };
template <class T> struct greater { __device__ T operator()(T a, T b) const { return a > b ? a : b; } };
template <class T> struct bit_and { __device__ T operator()(T a, T b) const { return a & b; } };
template <class T> struct bit_or { __device__ T operator()(T a, T b) const { return a | b; } };
template <class T> struct bit_xor { __device__ T operator()(T a, T b) const { return a ^ b; } };
template <class G, class T, class Op> __device__ T reduce(const G &, T, Op);
template <class G, class T, class Op> __device__ T inclusive_scan(const G &, T, Op);
template <class G, class T, class Op> __device__ T exclusive_scan(const G &, T, Op);
template <class G, class T> __device__ T inclusive_scan(const G &, T);
template <class G, class T> __device__ T exclusive_scan(const G &, T);
}
