// Grid-stride loop: a fixed-size grid walks an array of any length, evaluating a cubic
// polynomial by Horner's rule at each element.
__global__ void poly_gridstride(const float* __restrict__ x, float* __restrict__ y, int n,
                                float c0, float c1, float c2, float c3)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) {
        float v = x[i];
        y[i] = c0 + v * (c1 + v * (c2 + v * c3));
    }
}
