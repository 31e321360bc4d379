#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>
namespace cg = cooperative_groups;
__device__ float tile_sum(const cg::thread_block_tile<32> &t, float v) {
  return cg::reduce(t, v, cg::plus<float>());
}
__device__ void bsync(cg::thread_block b) { cg::sync(b); }
__global__ void k(const float *in, float *sum, int *mx, unsigned *bal, int *scan, int *rank) {
  cg::thread_block block = cg::this_thread_block();
  cg::thread_block_tile<32> tile = cg::tiled_partition<32>(block);
  cg::thread_block_tile<8> t8 = cg::tiled_partition<8>(block);
  int i = block.thread_rank();
  float v = in[i];
  sum[i] = tile_sum(tile, v);
  mx[i] = cg::reduce(t8, (int)(v * 100), cg::greater<int>());
  bal[i] = t8.ballot(v > 0.5f) | (t8.any(v > 0.9f) << 8) | (tile.all(v >= 0.0f) << 9);
  scan[i] = cg::inclusive_scan(t8, i % 5, cg::plus<int>()) * 100 + cg::exclusive_scan(t8, i % 3);
  bsync(block);
  cg::sync(tile);
  rank[i] = tile.meta_group_rank() * 1000 + t8.meta_group_size();
}
