#include <cooperative_groups.h>
using namespace cooperative_groups;
namespace cg = cooperative_groups;
// simpleCooperativeGroups' sumReduction: a thread_group parameter, the block or a tile
__device__ int sumReduction(thread_group g, int *x, int val) {
  int lane = g.thread_rank();
  for (int i = g.size() / 2; i > 0; i /= 2) {
    x[lane] = val;
    g.sync();
    if (lane < i) val += x[lane + i];
    g.sync();
  }
  return g.thread_rank() == 0 ? val : -1;
}
__global__ void sums(int *out, int *tiles, unsigned *info) {
  extern __shared__ int workspace[];
  thread_block group = this_thread_block();
  int t = group.thread_rank();
  out[t] = sumReduction(group, workspace, t);
  cg::sync(group);
  thread_group tile = tiled_partition(group, 16);
  int off = t - (t % 16);
  tiles[t] = sumReduction(tile, workspace + off, t);
  info[t] = tile.meta_group_rank() * 1000u + tile.meta_group_size();
}
// warpAggregatedAtomicsCG's atomicAggInc
__device__ int atomicAggInc(int *counter) {
  cg::coalesced_group active = cg::coalesced_threads();
  int res = 0;
  if (active.thread_rank() == 0) res = atomicAdd(counter, active.size());
  res = active.shfl(res, 0);
  return res + active.thread_rank();
}
__global__ void filter(int *dst, int *nres, const int *src, int n, int *all_pos) {
  int i = threadIdx.x + blockIdx.x * blockDim.x;
  if (i < n && src[i] > 0) {
    dst[atomicAggInc(nres)] = src[i];
    cg::coalesced_group g = cg::coalesced_threads();
    all_pos[i] = g.all(src[i] > 0) + 2 * g.any(src[i] > 5);
    cg::sync(g);
  }
}
// dxtc: a run-time tile made once, synced under `if (idx < 16)` and passed to a helper
__device__ void tile_sum(float *s, thread_group tile) {
  int r = tile.thread_rank();
  for (int o = tile.size() / 2; o > 0; o /= 2) {
    if (r < o) s[r] += s[r + o];
    tile.sync();
  }
}
__global__ void first_tile(const float *in, float *out) {
  __shared__ float s[16];
  thread_block cta = this_thread_block();
  thread_group tile = tiled_partition(cta, 16);
  int idx = threadIdx.x;
  if (idx < 16) {
    s[idx] = in[idx];
    tile.sync();
    tile_sum(s, tile);
    if (idx == 0) out[0] = s[0];
  }
}
