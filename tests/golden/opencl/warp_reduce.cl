// warp_reduce: not emitted for opencl:
// kernels/cuda/warp_reduce.cu:7:16: error: opencl: shfl_down in kernel 'warp_reduce' is under thread-divergent control flow (the condition at kernels/cuda/warp_reduce.cu:25:9); opencl emulates warp operations with work-group barriers, which every thread of the block must reach [PORT6002]
//   hint: let every thread of the block execute the warp operation and guard only the use of its result
