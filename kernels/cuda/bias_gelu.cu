// Fused bias + GELU (the exact erf form), as in transformer MLP epilogues:
// y = gelu(x + bias[col]) over a row-major rows x cols matrix; blockIdx.y is the row.
#define M_SQRT1_2_F 0.70710678118654752440f

__device__ __forceinline__ float gelu(float v)
{
    return 0.5f * v * (1.0f + erff(v * M_SQRT1_2_F));
}

__global__ void bias_gelu(const float* __restrict__ x, const float* __restrict__ bias,
                          float* __restrict__ y, int rows, int cols)
{
    int col = blockIdx.x * blockDim.x + threadIdx.x;
    int row = blockIdx.y;
    if (col < cols && row < rows) {
        int idx = row * cols + col;
        y[idx] = gelu(x[idx] + bias[col]);
    }
}
