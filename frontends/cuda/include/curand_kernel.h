/* cuRAND's device API for portable: the default generator (XORWOW: curandState) as device
   code, written from cuRAND's published algorithm (frontends/cuda/curand.py says how the
   subsequence skip-ahead works). The other generators are declared so files parse; a kernel
   that calls them gets PORT1004. */
#pragma once
#include <curand.h>
/* v[5] of cuRAND's layout, as five words: the same bytes, and no array members, which not
   every backend indexes */
struct curandStateXORWOW { unsigned int d, v0, v1, v2, v3, v4; int boxmuller_flag; int boxmuller_flag_double; float boxmuller_extra; double boxmuller_extra_double; };
typedef struct curandStateXORWOW curandStateXORWOW_t; typedef struct curandStateXORWOW curandState_t; typedef struct curandStateXORWOW curandState;
struct curandStatePhilox4_32_10 { uint4 ctr; uint4 output; uint2 key; unsigned int STATE; int boxmuller_flag; int boxmuller_flag_double; float boxmuller_extra; double boxmuller_extra_double; }; typedef struct curandStatePhilox4_32_10 curandStatePhilox4_32_10_t; struct curandStateMRG32k3a { unsigned int s1[3]; unsigned int s2[3]; int boxmuller_flag; int boxmuller_flag_double; float boxmuller_extra; double boxmuller_extra_double; }; typedef struct curandStateMRG32k3a curandStateMRG32k3a_t;
template <class S> __device__ void curand_init(unsigned long long, unsigned long long, unsigned long long, S *);
template <class S> __device__ unsigned int curand(S *); template <class S> __device__ float curand_uniform(S *); template <class S> __device__ float curand_normal(S *); template <class S> __device__ double curand_uniform_double(S *); template <class S> __device__ double curand_normal_double(S *); template <class S> __device__ float2 curand_normal2(S *); template <class S> __device__ float4 curand_uniform4(S *);

/* A^(2^(67+i)) for the 64 bits i of a subsequence: filled in by the frontend */
extern __device__ const unsigned int __portable_xorwow_jump[64 * 160 * 5];

__device__ __forceinline__ unsigned int curand(curandStateXORWOW *state) {
  unsigned int t = state->v0 ^ (state->v0 >> 2);
  state->v0 = state->v1;
  state->v1 = state->v2;
  state->v2 = state->v3;
  state->v3 = state->v4;
  state->v4 = (state->v4 ^ (state->v4 << 4)) ^ (t ^ (t << 1));
  state->d += 362437u;
  return state->v4 + state->d;
}

__device__ void __portable_xorwow_skip(curandStateXORWOW *state, int m) {
  unsigned int in[5] = {state->v0, state->v1, state->v2, state->v3, state->v4};
  unsigned int out[5] = {0u, 0u, 0u, 0u, 0u};
  for (int j = 0; j < 160; j++) {
    if ((in[j >> 5] >> (j & 31)) & 1u) {
      for (int w = 0; w < 5; w++) out[w] ^= __portable_xorwow_jump[(m * 160 + j) * 5 + w];
    }
  }
  state->v0 = out[0]; state->v1 = out[1]; state->v2 = out[2]; state->v3 = out[3];
  state->v4 = out[4];
}

/* offset: that many steps, one by one (exact; large offsets take long) */
__device__ void curand_init(unsigned long long seed, unsigned long long subsequence,
                            unsigned long long offset, curandStateXORWOW *state) {
  unsigned int s0 = ((unsigned int)seed) ^ 0xaad26b49u;
  unsigned int s1 = ((unsigned int)(seed >> 32)) ^ 0xf7dcefddu;
  unsigned int t0 = 1099087573u * s0;
  unsigned int t1 = 2591861531u * s1;
  state->d = 6615241u + t1 + t0;
  state->v0 = 123456789u + t0;
  state->v1 = 362436069u ^ t0;
  state->v2 = 521288629u + t1;
  state->v3 = 88675123u ^ t1;
  state->v4 = 5783321u + t0;
  for (int m = 0; m < 64 && (subsequence >> m) != 0ull; m++) {
    if ((subsequence >> m) & 1ull) __portable_xorwow_skip(state, m);
  }
  for (unsigned long long k = 0; k < offset; k++) curand(state);
  state->boxmuller_flag = 0;
  state->boxmuller_flag_double = 0;
  state->boxmuller_extra = 0.0f;
  state->boxmuller_extra_double = 0.0;
}

__device__ __forceinline__ float curand_uniform(curandStateXORWOW *state) {
  return curand(state) * 2.3283064e-10f + (2.3283064e-10f / 2.0f);
}

__device__ __forceinline__ double curand_uniform_double(curandStateXORWOW *state) {
  unsigned int x = curand(state);
  unsigned int y = curand(state);
  unsigned long long z = (unsigned long long)x ^ ((unsigned long long)y << (53 - 32));
  return z * 1.1102230246251565e-16 + (1.1102230246251565e-16 / 2.0);
}

__device__ __forceinline__ float2 curand_normal2(curandStateXORWOW *state) {
  unsigned int x = curand(state);
  unsigned int y = curand(state);
  float u = x * 2.3283064e-10f + (2.3283064e-10f / 2.0f);
  float v = y * (2.3283064e-10f * 6.2831855f) + ((2.3283064e-10f * 6.2831855f) / 2.0f);
  float s = sqrtf(-2.0f * logf(u));
  return make_float2(s * sinf(v), s * cosf(v));
}

__device__ float curand_normal(curandStateXORWOW *state) {
  if (state->boxmuller_flag != 1) {
    float2 r = curand_normal2(state);
    state->boxmuller_extra = r.y;
    state->boxmuller_flag = 1;
    return r.x;
  }
  state->boxmuller_flag = 0;
  return state->boxmuller_extra;
}

__device__ __forceinline__ double2 curand_normal2_double(curandStateXORWOW *state) {
  unsigned int x0 = curand(state);
  unsigned int x1 = curand(state);
  unsigned int y0 = curand(state);
  unsigned int y1 = curand(state);
  unsigned long long zx = (unsigned long long)x0 ^ ((unsigned long long)x1 << (53 - 32));
  unsigned long long zy = (unsigned long long)y0 ^ ((unsigned long long)y1 << (53 - 32));
  double u = zx * 1.1102230246251565e-16 + (1.1102230246251565e-16 / 2.0);
  double v = zy * (1.1102230246251565e-16 * 6.2831853071795860) +
             ((1.1102230246251565e-16 * 6.2831853071795860) / 2.0);
  double s = sqrt(-2.0 * log(u));
  return make_double2(s * sin(v), s * cos(v));
}

__device__ double curand_normal_double(curandStateXORWOW *state) {
  if (state->boxmuller_flag_double != 1) {
    double2 r = curand_normal2_double(state);
    state->boxmuller_extra_double = r.y;
    state->boxmuller_flag_double = 1;
    return r.x;
  }
  state->boxmuller_flag_double = 0;
  return state->boxmuller_extra_double;
}

__device__ __forceinline__ float curand_log_normal(curandStateXORWOW *state, float mean,
                                                   float stddev) {
  return expf(mean + stddev * curand_normal(state));
}

__device__ __forceinline__ double curand_log_normal_double(curandStateXORWOW *state,
                                                           double mean, double stddev) {
  return exp(mean + stddev * curand_normal_double(state));
}
