__global__ void mf(float *o, const float *x, const float *y, double *od, const double *xd) {
  int i = threadIdx.x; float a = x[i], b = y[i]; int k = 0;
  o[i*24+k++] = sqrtf(a); o[i*24+k++] = expf(a); o[i*24+k++] = logf(a); o[i*24+k++] = sinf(a);
  o[i*24+k++] = cosf(a); o[i*24+k++] = tanhf(a); o[i*24+k++] = powf(a, b); o[i*24+k++] = fabsf(-a);
  o[i*24+k++] = fminf(a, b); o[i*24+k++] = fmaxf(a, b); o[i*24+k++] = floorf(a*3); o[i*24+k++] = ceilf(a*3);
  o[i*24+k++] = rsqrtf(a); o[i*24+k++] = erff(a); o[i*24+k++] = log1pf(a); o[i*24+k++] = fmaf(a, b, 1.0f);
  o[i*24+k++] = sqrt(a); o[i*24+k++] = min(a, b); o[i*24+k++] = __saturatef(a*2); o[i*24+k++] = atan2f(a, b);
  o[i*24+k++] = __int_as_float(__float_as_int(a)); o[i*24+k++] = __fdividef(a, b); o[i*24+k++] = (float)__float2int_rn(a*7); o[i*24+k++] = exp2f(a);
  double d = xd[i];
  od[i*4] = sqrt(d); od[i*4+1] = exp(d); od[i*4+2] = pow(d, 2.5); od[i*4+3] = fma(d, d, 1.0);
}
__global__ void ii(int *o, const int *a, const unsigned *u, const long long *l) {
  int i = threadIdx.x; int x = a[i]; unsigned ux = u[i]; int k = 0;
  o[i*12+k++] = __popc(ux); o[i*12+k++] = __clz(x); o[i*12+k++] = __ffs(x); o[i*12+k++] = (int)__brev(ux);
  o[i*12+k++] = (int)__umulhi(ux, 123456789u); o[i*12+k++] = __mul24(x, 77); o[i*12+k++] = min(x, 5);
  o[i*12+k++] = max(x, -5); o[i*12+k++] = abs(x); o[i*12+k++] = __popcll(l[i]); o[i*12+k++] = __clzll(l[i]);
  o[i*12+k++] = __mulhi(x, 1 << 30);
}
