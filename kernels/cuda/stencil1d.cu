// 1-D 7-point stencil with the halo staged in shared memory (the classic "1D stencil" of
// NVIDIA's CUDA C/C++ basics): each block loads its BLOCK elements plus RADIUS on each side,
// values outside the array count as zero.
#define RADIUS 3
#define BLOCK 256

__global__ void stencil_1d(const float* __restrict__ in, float* __restrict__ out, int n)
{
    __shared__ float temp[BLOCK + 2 * RADIUS];
    const float weights[2 * RADIUS + 1] = {0.05f, 0.1f, 0.2f, 0.3f, 0.2f, 0.1f, 0.05f};

    int gindex = blockIdx.x * blockDim.x + threadIdx.x;
    int lindex = threadIdx.x + RADIUS;

    temp[lindex] = (gindex < n) ? in[gindex] : 0.0f;
    if (threadIdx.x < RADIUS) {
        int left = gindex - RADIUS;
        int right = gindex + BLOCK;
        temp[lindex - RADIUS] = (left >= 0 && left < n) ? in[left] : 0.0f;
        temp[lindex + BLOCK] = (right < n) ? in[right] : 0.0f;
    }
    __syncthreads();

    if (gindex < n) {
        float result = 0.0f;
        for (int offset = -RADIUS; offset <= RADIUS; offset++)
            result += weights[offset + RADIUS] * temp[lindex + offset];
        out[gindex] = result;
    }
}
