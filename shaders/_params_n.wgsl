// Shared snippet (not a kernel): the Params of elementwise kernels over n values (add, mask_apply,
// swiglu), padded to the 16 bytes a uniform buffer needs. Descriptor: PARAMS_N in
// src/gpu/kernels/descriptors.ts. Pulled in with `//#include _params_n`.

struct Params { n: u32, _p0: u32, _p1: u32, _p2: u32 }
