/// Which build of the C kernels runs. Both give identical bytes; the choice exists so tests can prove that.
enum KernelPath: Sendable, Equatable {
    /// AVX2 when the CPU has it, else the portable build.
    case best
    /// The portable build, on every CPU.
    case portable

    /// The kernels' `simd` argument.
    var simdFlag: Int32 { self == .best ? 1 : 0 }
}
