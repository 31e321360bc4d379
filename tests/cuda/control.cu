__device__ int collatz(int x) { int n = 0; while (x != 1) { x = (x % 2) ? 3 * x + 1 : x / 2; n++; } return n; }
__device__ void put(int *o, int i, int v) { o[i] = v; }
__device__ float poly(float x, int n) { float s = 0; for (int k = 0; k < n; ++k) { if (k == 3) continue; s = s * x + k; if (s > 100.0f) break; } return s; }
__global__ void cf(int *o, float *f, const int *a, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  int v = a[i];
  int loc[5] = {1, 2, 3};
  for (int j = 0; j < 5; j++) loc[j] += v;
  int acc = 0;
  int j = 0;
  do { acc += loc[j]; j++; if (acc > 200) break; } while (j < 5);
  switch (v & 3) {
    case 0: acc += 1;
    case 1: acc += 10; break;
    case 2: { acc += 100; if (v > 50) break; acc += 1000; } break;
    default: acc -= 1;
  }
  int t = 0;
  for (int k = 10; k > 0; k -= 3) { if (k == 4) continue; t += k; }
  for (unsigned k = 0; k < 4u; k++) t += k;
  int w = 0;
  for (int k = 0; k < 8; k++) { if (k == 2) { k += 2; continue; } w += k; }
  put(o, i * 4, acc);
  o[i * 4 + 1] = collatz(v + 1);
  o[i * 4 + 2] = t * 100 + w;
  o[i * 4 + 3] = loc[3] + loc[4];
  f[i] = poly(1.5f, v % 6);
}
