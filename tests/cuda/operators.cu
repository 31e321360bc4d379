__global__ void ops(int *o, const int *a, const int *b, unsigned *u, float *f) {
  int i = threadIdx.x;
  int x = a[i], y = b[i];
  unsigned ux = u[i];
  o[i*16+0] = x / y; o[i*16+1] = x % y; o[i*16+2] = x << (y & 7); o[i*16+3] = x >> 2;
  o[i*16+4] = x & y; o[i*16+5] = x | y; o[i*16+6] = x ^ y; o[i*16+7] = ~x;
  o[i*16+8] = !x; o[i*16+9] = -x; o[i*16+10] = (x < y) + (x <= y)*2 + (x > y)*4 + (x==y)*8 + (x!=y)*16 + (x>=y)*32;
  int c = 0; c += x; c -= y; c *= 3; c /= 2; c %= 1000; c <<= 1; c >>= 1; c &= 0xfff; c |= 1; c ^= 2;
  o[i*16+11] = c;
  int k = x; int p = k++; int q = ++k; int r = k--; int s2 = --k;
  o[i*16+12] = p*1000 + q*100 + r*10 + s2;
  o[i*16+13] = (x > 0 && y > 0) || (x < -5);
  o[i*16+14] = (int)(ux >> 3) + (int)(ux / 7u);
  o[i*16+15] = x > y ? x : y;
  f[i] = (float)x / 3.0f + (double)y * 0.5;
}
