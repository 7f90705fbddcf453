/// Which build of the C kernels runs. Every path gives identical bytes and floats; the choice exists so tests can
/// prove that on any machine.
public enum KernelPath: Sendable, Equatable {
    /// AVX2 when the CPU has it (and `INGOT_SIMD` does not ask for scalar), else the portable build.
    case best
    /// The portable build, on every CPU.
    case portable

    /// The kernels' `simd` argument.
    public var simdFlag: Int32 { self == .best && SIMDLevel.selected >= .avx2 ? 1 : 0 }
}
