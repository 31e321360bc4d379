/* portable's CUDA prelude: what nvcc's implicit cuda_runtime.h provides, for a device-only
   parse by libclang without a CUDA installation. Included before every source file. */
#ifndef __PORTABLE_PRELUDE_H
#define __PORTABLE_PRELUDE_H
#define __CUDACC__ 1
#define __NVCC__ 1
#define __CUDACC_VER_MAJOR__ 12
#define __CUDACC_VER_MINOR__ 0
#define CUDART_VERSION 12000
#define __PORTABLE__ 1

#define __global__ __attribute__((global))
#define __device__ __attribute__((device))
#define __host__ __attribute__((host))
#define __shared__ __attribute__((shared))
#define __constant__ __attribute__((constant))
#define __managed__ __attribute__((managed))
#define __launch_bounds__(...) __attribute__((launch_bounds(__VA_ARGS__)))
#define __forceinline__ __inline__ __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __align__(n) __attribute__((aligned(n)))
#define __restrict__ __restrict
#define __device_builtin__
#define __builtin_align__(n) __attribute__((aligned(n)))
#define CUDART_CB
#define __grid_constant__

typedef __SIZE_TYPE__ size_t;
typedef __PTRDIFF_TYPE__ ptrdiff_t;
#define NULL 0

/* vector types, aligned as CUDA aligns them */
#define __PV1(T, N, A) struct __attribute__((aligned(A))) N##1 { T x; }; \
  __host__ __device__ N##1 make_##N##1(T);
#define __PV2(T, N, A) struct __attribute__((aligned(A))) N##2 { T x, y; }; \
  __host__ __device__ N##2 make_##N##2(T, T);
#define __PV3(T, N) struct N##3 { T x, y, z; }; \
  __host__ __device__ N##3 make_##N##3(T, T, T);
#define __PV4(T, N, A) struct __attribute__((aligned(A))) N##4 { T x, y, z, w; }; \
  __host__ __device__ N##4 make_##N##4(T, T, T, T);
#define __PVEC(T, N, S) __PV1(T, N, S) __PV2(T, N, 2 * S) __PV3(T, N) __PV4(T, N, 4 * S)
__PVEC(signed char, char, 1)
__PVEC(unsigned char, uchar, 1)
__PVEC(short, short, 2)
__PVEC(unsigned short, ushort, 2)
__PVEC(int, int, 4)
__PVEC(unsigned int, uint, 4)
__PV1(long, long, 8) __PV2(long, long, 16) __PV3(long, long) __PV4(long, long, 16)
__PV1(unsigned long, ulong, 8) __PV2(unsigned long, ulong, 16) __PV3(unsigned long, ulong)
__PV4(unsigned long, ulong, 16)
__PV1(long long, longlong, 8) __PV2(long long, longlong, 16) __PV3(long long, longlong)
__PV4(long long, longlong, 16)
__PV1(unsigned long long, ulonglong, 8) __PV2(unsigned long long, ulonglong, 16)
__PV3(unsigned long long, ulonglong) __PV4(unsigned long long, ulonglong, 16)
__PVEC(float, float, 4)
__PV1(double, double, 8) __PV2(double, double, 16) __PV3(double, double)
__PV4(double, double, 16)
#undef __PV1
#undef __PV2
#undef __PV3
#undef __PV4
#undef __PVEC

struct dim3 {
  unsigned int x, y, z;
  __host__ __device__ constexpr dim3(unsigned int vx = 1, unsigned int vy = 1,
                                     unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
  __host__ __device__ constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
  __host__ __device__ constexpr operator uint3() const { return uint3{x, y, z}; }
};

extern const __device__ uint3 threadIdx;
extern const __device__ uint3 blockIdx;
extern const __device__ dim3 blockDim;
extern const __device__ dim3 gridDim;
extern const __device__ int warpSize;

/* synchronisation */
__device__ void __syncthreads(void);
__device__ int __syncthreads_count(int);
__device__ int __syncthreads_and(int);
__device__ int __syncthreads_or(int);
__device__ void __syncwarp(unsigned int mask = 0xffffffffu);
__device__ void __threadfence(void);
__device__ void __threadfence_block(void);
__device__ void __threadfence_system(void);

/* atomics */
#define __PAT(NAME, T) __device__ T NAME(T *, T); __device__ T NAME##_block(T *, T); \
  __device__ T NAME##_system(T *, T);
#define __PAT_INT(NAME) __PAT(NAME, int) __PAT(NAME, unsigned int) \
  __PAT(NAME, unsigned long long int)
__PAT_INT(atomicAdd) __PAT(atomicAdd, float) __PAT(atomicAdd, double)
__PAT(atomicSub, int) __PAT(atomicSub, unsigned int)
__PAT_INT(atomicMin) __PAT(atomicMin, long long int)
__PAT_INT(atomicMax) __PAT(atomicMax, long long int)
__PAT_INT(atomicExch) __PAT(atomicExch, float)
__PAT_INT(atomicAnd) __PAT_INT(atomicOr) __PAT_INT(atomicXor)
__PAT(atomicInc, unsigned int) __PAT(atomicDec, unsigned int)
#undef __PAT
#undef __PAT_INT
__device__ int atomicCAS(int *, int, int);
__device__ unsigned int atomicCAS(unsigned int *, unsigned int, unsigned int);
__device__ unsigned long long int atomicCAS(unsigned long long int *, unsigned long long int,
                                            unsigned long long int);
__device__ unsigned short int atomicCAS(unsigned short int *, unsigned short int,
                                        unsigned short int);
#define __PCAS(S) __device__ int atomicCAS##S(int *, int, int); \
  __device__ unsigned int atomicCAS##S(unsigned int *, unsigned int, unsigned int); \
  __device__ unsigned long long int atomicCAS##S(unsigned long long int *, \
                                                 unsigned long long int, unsigned long long int);
__PCAS(_block) __PCAS(_system)
#undef __PCAS

/* warp-level primitives */
#define __PSH(T) \
  __device__ T __shfl_sync(unsigned int, T, int, int = 32); \
  __device__ T __shfl_up_sync(unsigned int, T, unsigned int, int = 32); \
  __device__ T __shfl_down_sync(unsigned int, T, unsigned int, int = 32); \
  __device__ T __shfl_xor_sync(unsigned int, T, int, int = 32); \
  __device__ T __shfl(T, int, int = 32); \
  __device__ T __shfl_up(T, unsigned int, int = 32); \
  __device__ T __shfl_down(T, unsigned int, int = 32); \
  __device__ T __shfl_xor(T, int, int = 32);
__PSH(int) __PSH(unsigned int) __PSH(long) __PSH(unsigned long) __PSH(long long)
__PSH(unsigned long long) __PSH(float) __PSH(double)
#undef __PSH
__device__ unsigned int __ballot_sync(unsigned int, int);
__device__ int __any_sync(unsigned int, int);
__device__ int __all_sync(unsigned int, int);
__device__ unsigned int __ballot(int);
__device__ int __any(int);
__device__ int __all(int);
__device__ unsigned int __activemask(void);
__device__ unsigned int __lanemask_lt(void);

/* integer intrinsics */
__device__ int __popc(unsigned int);
__device__ int __popcll(unsigned long long int);
__device__ int __clz(int);
__device__ int __clzll(long long int);
__device__ int __ffs(int);
__device__ int __ffsll(long long int);
__device__ unsigned int __brev(unsigned int);
__device__ unsigned long long int __brevll(unsigned long long int);
__device__ int __mulhi(int, int);
__device__ unsigned int __umulhi(unsigned int, unsigned int);
__device__ long long int __mul64hi(long long int, long long int);
__device__ unsigned long long int __umul64hi(unsigned long long int, unsigned long long int);
__device__ int __mul24(int, int);
__device__ unsigned int __umul24(unsigned int, unsigned int);
__device__ int __sad(int, int, unsigned int);
__device__ unsigned int __usad(unsigned int, unsigned int, unsigned int);
__device__ int __hadd(int, int);
__device__ int __rhadd(int, int);
__device__ unsigned int __uhadd(unsigned int, unsigned int);
__device__ unsigned int __urhadd(unsigned int, unsigned int);

#define __PMM(N, T) __host__ __device__ T N(T, T);
#define __PMINMAX(N) __PMM(N, int) __PMM(N, unsigned int) __PMM(N, long) \
  __PMM(N, unsigned long) __PMM(N, long long) __PMM(N, unsigned long long) __PMM(N, float) \
  __PMM(N, double) __host__ __device__ unsigned int N(int, unsigned int); \
  __host__ __device__ unsigned int N(unsigned int, int); \
  __host__ __device__ double N(float, double); __host__ __device__ double N(double, float); \
  __host__ __device__ long long N(long long, int); __host__ __device__ long long N(int, long long); \
  __host__ __device__ unsigned long long N(unsigned long long, long long); \
  __host__ __device__ unsigned long long N(long long, unsigned long long);
__PMINMAX(min) __PMINMAX(max)
#undef __PMINMAX
#undef __PMM
__host__ __device__ unsigned int umin(unsigned int, unsigned int);
__host__ __device__ unsigned int umax(unsigned int, unsigned int);
__host__ __device__ long long llmin(long long, long long);
__host__ __device__ long long llmax(long long, long long);
__host__ __device__ unsigned long long ullmin(unsigned long long, unsigned long long);
__host__ __device__ unsigned long long ullmax(unsigned long long, unsigned long long);
__host__ __device__ int abs(int);
__host__ __device__ long labs(long);
__host__ __device__ long long llabs(long long);
__host__ __device__ long abs(long);
__host__ __device__ long long abs(long long);
__host__ __device__ float abs(float);
__host__ __device__ double abs(double);

/* the math library: float (f suffix), double, and C++ float overloads */
#define __PM1(N) __host__ __device__ float N##f(float); __host__ __device__ double N(double); \
  __host__ __device__ float N(float); \
  template <class T> __host__ __device__ double N(T);
#define __PM2(N) __host__ __device__ float N##f(float, float); \
  __host__ __device__ double N(double, double); __host__ __device__ float N(float, float); \
  __host__ __device__ double N(float, double); __host__ __device__ double N(double, float); \
  __host__ __device__ double N(int, double); __host__ __device__ double N(double, int); \
  __host__ __device__ float N(float, int); __host__ __device__ float N(int, float);
__PM1(sqrt) __PM1(rsqrt) __PM1(cbrt) __PM1(rcbrt) __PM1(exp) __PM1(exp2) __PM1(exp10)
__PM1(expm1) __PM1(log) __PM1(log2) __PM1(log10) __PM1(log1p) __PM1(logb) __PM1(sin)
__PM1(cos) __PM1(tan) __PM1(asin) __PM1(acos) __PM1(atan) __PM1(sinh) __PM1(cosh)
__PM1(tanh) __PM1(asinh) __PM1(acosh) __PM1(atanh) __PM1(fabs) __PM1(floor) __PM1(ceil)
__PM1(trunc) __PM1(round) __PM1(rint) __PM1(nearbyint) __PM1(erf) __PM1(erfc)
__PM1(lgamma) __PM1(tgamma) __PM1(sinpi) __PM1(cospi) __PM1(erfinv) __PM1(erfcinv)
__PM1(normcdf) __PM1(j0) __PM1(j1) __PM1(y0) __PM1(y1)
__PM2(pow) __PM2(atan2) __PM2(fmod) __PM2(hypot) __PM2(copysign) __PM2(fdim)
__PM2(remainder) __PM2(fmin) __PM2(fmax) __PM2(nextafter)
#undef __PM1
#undef __PM2
__host__ __device__ float fmaf(float, float, float);
__host__ __device__ double fma(double, double, double);
__host__ __device__ float fma(float, float, float);
__host__ __device__ float ldexpf(float, int);
__host__ __device__ double ldexp(double, int);
__host__ __device__ float ldexp(float, int);
__host__ __device__ float frexpf(float, int *);
__host__ __device__ double frexp(double, int *);
__host__ __device__ float frexp(float, int *);
__host__ __device__ float modff(float, float *);
__host__ __device__ double modf(double, double *);
__host__ __device__ float modf(float, float *);
__host__ __device__ float scalbnf(float, int);
__host__ __device__ double scalbn(double, int);
__host__ __device__ float scalbn(float, int);
__host__ __device__ int ilogbf(float);
__host__ __device__ int ilogb(double);
__host__ __device__ long lroundf(float);
__host__ __device__ long lround(double);
__host__ __device__ long long llroundf(float);
__host__ __device__ long long llround(double);
__host__ __device__ long lrintf(float);
__host__ __device__ long long llrintf(float);
__host__ __device__ void sincosf(float, float *, float *);
__host__ __device__ void sincos(double, double *, double *);
__host__ __device__ void sincospif(float, float *, float *);
__host__ __device__ void sincospi(double, double *, double *);
__host__ __device__ float remquof(float, float, int *);
__host__ __device__ float norm3df(float, float, float);
__host__ __device__ double norm3d(double, double, double);
__host__ __device__ float rnorm3df(float, float, float);
__host__ __device__ float rhypotf(float, float);
__host__ __device__ int isnan(float);
__host__ __device__ int isnan(double);
__host__ __device__ int isinf(float);
__host__ __device__ int isinf(double);
__host__ __device__ int isfinite(float);
__host__ __device__ int isfinite(double);
__host__ __device__ int signbit(float);
__host__ __device__ int signbit(double);
__host__ __device__ int __isnanf(float);
__host__ __device__ int __isinff(float);
__host__ __device__ int __finitef(float);
__host__ __device__ int __isnan(double);
__host__ __device__ int __isinf(double);
__host__ __device__ int __finite(double);
__host__ __device__ float nanf(const char *);
__host__ __device__ double nan(const char *);

/* fast and rounding-mode float intrinsics */
__device__ float __saturatef(float);
__device__ float __fdividef(float, float);
__device__ double __ddiv_rn(double, double);
__device__ float __expf(float);
__device__ float __exp10f(float);
__device__ float __logf(float);
__device__ float __log2f(float);
__device__ float __log10f(float);
__device__ float __sinf(float);
__device__ float __cosf(float);
__device__ float __tanf(float);
__device__ float __powf(float, float);
__device__ void __sincosf(float, float *, float *);
#define __PRN(N, T) __device__ T N##_rn(T, T); __device__ T N##_rz(T, T); \
  __device__ T N##_ru(T, T); __device__ T N##_rd(T, T);
__PRN(__fadd, float) __PRN(__fsub, float) __PRN(__fmul, float) __PRN(__fdiv, float)
__PRN(__dadd, double) __PRN(__dsub, double) __PRN(__dmul, double) __PRN(__ddiv, double)
#undef __PRN
__device__ float __fmaf_rn(float, float, float);
__device__ float __fmaf_rz(float, float, float);
__device__ double __fma_rn(double, double, double);
__device__ float __frcp_rn(float);
__device__ double __drcp_rn(double);
__device__ float __fsqrt_rn(float);
__device__ double __dsqrt_rn(double);
/* directed rounding: declared so that a kernel using them is reported precisely (PORT1004) */
__device__ float __fsqrt_rz(float); __device__ float __fsqrt_ru(float);
__device__ float __fsqrt_rd(float); __device__ double __dsqrt_rz(double);
__device__ double __dsqrt_ru(double); __device__ double __dsqrt_rd(double);
__device__ float __frcp_rz(float); __device__ float __frcp_ru(float);
__device__ float __frcp_rd(float); __device__ double __drcp_rz(double);
__device__ double __drcp_ru(double); __device__ double __drcp_rd(double);
__device__ float __fmaf_ru(float, float, float); __device__ float __fmaf_rd(float, float, float);
__device__ double __fma_rz(double, double, double);
__device__ double __fma_ru(double, double, double);
__device__ double __fma_rd(double, double, double);
__device__ float __frsqrt_rn(float);

/* conversions and reinterpretations */
#define __PCV(F, T) __device__ T F##_rn(float); __device__ T F##_rz(float); \
  __device__ T F##_ru(float); __device__ T F##_rd(float);
__PCV(__float2int, int) __PCV(__float2uint, unsigned int) __PCV(__float2ll, long long)
__PCV(__float2ull, unsigned long long)
#undef __PCV
#define __PCV(F, S, T) __device__ T F##_rn(S); __device__ T F##_rz(S); \
  __device__ T F##_ru(S); __device__ T F##_rd(S);
__PCV(__double2int, double, int) __PCV(__double2uint, double, unsigned int)
__PCV(__double2ll, double, long long) __PCV(__double2ull, double, unsigned long long)
__PCV(__double2float, double, float) __PCV(__int2float, int, float)
__PCV(__uint2float, unsigned int, float) __PCV(__ll2float, long long, float)
__PCV(__ull2float, unsigned long long, float) __PCV(__ll2double, long long, double)
__PCV(__ull2double, unsigned long long, double)
#undef __PCV
__device__ double __int2double_rn(int);
__device__ double __uint2double_rn(unsigned int);
__device__ int __float_as_int(float);
__device__ float __int_as_float(int);
__device__ unsigned int __float_as_uint(float);
__device__ float __uint_as_float(unsigned int);
__device__ long long __double_as_longlong(double);
__device__ double __longlong_as_double(long long);
__device__ int __double2hiint(double);
__device__ int __double2loint(double);
__device__ double __hiloint2double(int, int);

/* read-only cache loads and cache-hinted loads/stores */
#define __PLDG(T) __device__ T __ldg(const T *); __device__ T __ldcg(const T *); \
  __device__ T __ldca(const T *); __device__ T __ldcs(const T *); __device__ T __ldlu(const T *); \
  __device__ T __ldcv(const T *); __device__ void __stwb(T *, T); __device__ void __stcg(T *, T); \
  __device__ void __stcs(T *, T); __device__ void __stwt(T *, T);
__PLDG(char) __PLDG(signed char) __PLDG(unsigned char) __PLDG(short) __PLDG(unsigned short)
__PLDG(int) __PLDG(unsigned int) __PLDG(long) __PLDG(unsigned long) __PLDG(long long)
__PLDG(unsigned long long) __PLDG(float) __PLDG(double) __PLDG(float2) __PLDG(float4)
__PLDG(int2) __PLDG(int4) __PLDG(uint2) __PLDG(uint4) __PLDG(double2)
#undef __PLDG

/* clock()/clock64(): a counter of the module, see frontends/cuda/calls.py; NVRTC sources use
   clock_t without including <ctime> */
typedef long clock_t;
__device__ long long clock64(void);
__device__ clock_t clock(void);
/* NVRTC sources use assert without including <cassert>; it compiles out as in <assert.h> */
#ifndef assert
#define assert(e) ((void)0)
#endif

extern "C" __host__ __device__ int printf(const char *, ...);
/* device code may copy and fill memory without <cstring> (frontends/cuda/copies.py) */
extern "C" __host__ __device__ void *memcpy(void *, const void *, size_t);
extern "C" __host__ __device__ void *memset(void *, int, size_t);
extern "C" __host__ __device__ void __assert_fail(const char *, const char *, unsigned int,
                                                  const char *);
__host__ __device__ void __trap(void);
__host__ __device__ void __brkpt(void);

#include "__portable_runtime.h"
/* placement new, which nvcc's headers always declare */
inline __host__ __device__ void *operator new(size_t, void *__p) noexcept { return __p; }
inline __host__ __device__ void *operator new[](size_t, void *__p) noexcept { return __p; }
#endif
