// European call and put prices under Black-Scholes (after the CUDA sample BlackScholes),
// with the normal CDF written through erff.
__device__ inline float cnd(float d)
{
    return 0.5f * (1.0f + erff(d * 0.70710678118654752f));
}

__global__ void black_scholes(float* __restrict__ call, float* __restrict__ put,
                              const float* __restrict__ price, const float* __restrict__ strike,
                              const float* __restrict__ years, float riskfree, float volatility,
                              int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n)
        return;
    float S = price[i], X = strike[i], T = years[i];
    float sqrtT = sqrtf(T);
    float d1 = (logf(S / X) + (riskfree + 0.5f * volatility * volatility) * T)
               / (volatility * sqrtT);
    float d2 = d1 - volatility * sqrtT;
    float cndd1 = cnd(d1);
    float cndd2 = cnd(d2);
    float expRT = expf(-riskfree * T);
    call[i] = S * cndd1 - X * expRT * cndd2;
    put[i] = X * expRT * (1.0f - cndd2) - S * (1.0f - cndd1);
}
