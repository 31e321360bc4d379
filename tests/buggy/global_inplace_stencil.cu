// An in-place smoothing step: a thread reads neighbours that other threads (and, at block
// edges, other blocks) overwrite in the same launch.
// check: --grid 4 --block 64 --arg n=256
__global__ void smooth(float* x, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i > 0 && i < n - 1)
        x[i] = 0.5f * x[i] + 0.25f * (x[i - 1] + x[i + 1]);  // expect: PORT8002
}
