__global__ void at(int *ic, unsigned *uc, unsigned long long *ull, float *fc, double *dc, int *old, const int *v) {
  __shared__ int sh[4];
  int i = threadIdx.x;
  if (i < 4) sh[i] = 0;
  __syncthreads();
  int x = v[i];
  atomicAdd(&ic[0], x); atomicSub(&ic[1], x); atomicMin(&ic[2], x); atomicMax(&ic[3], x);
  atomicAnd(&ic[4], x | 0xF0); atomicOr(&ic[5], x); atomicXor(&ic[6], x);
  atomicInc(&uc[0], 17u); atomicDec(&uc[1], 5u);
  atomicAdd(&ull[0], (unsigned long long)x); atomicMax(&ull[1], (unsigned long long)x);
  atomicAdd(fc, 0.5f); atomicAdd(dc, 0.25);
  atomicAdd(&sh[i % 4], 1);
  int o = atomicCAS(&ic[7], i, i + 1);
  old[i] = atomicExch(&ic[8], i) >= 0;
  __syncthreads();
  if (i < 4) ic[9 + i] = sh[i];
}
