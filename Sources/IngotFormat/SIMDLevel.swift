internal import CIngotKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The widest instruction set Ingot's C kernels use. `INGOT_SIMD=scalar|avx2|avx512` caps it for the whole process
/// (to measure the AVX2 path on an AVX-512 machine, or to prove every path gives the same bits); a level the CPU lacks
/// is never used — the request is capped at what the CPU has. Unset, or any other value, means the best the CPU runs.
public enum SIMDLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case scalar = 0
    case avx2 = 1
    case avx512 = 2

    /// What this CPU runs (AVX2 counts with FMA and F16C).
    public static var cpuBest: SIMDLevel { SIMDLevel(rawValue: Int(ingot_isa_best())) ?? .scalar }

    /// The level in effect: `INGOT_SIMD` capped at the CPU's best.
    public static let selected: SIMDLevel = {
        let best = cpuBest
        guard let v = getenv("INGOT_SIMD").map({ String(cString: $0).lowercased() }), let asked = SIMDLevel(name: v) else {
            return best
        }
        return min(asked, best)
    }()

    public init?(name: String) {
        switch name {
        case "scalar", "portable": self = .scalar
        case "avx2": self = .avx2
        case "avx512", "avx-512": self = .avx512
        default: return nil
        }
    }

    /// `min(self, cpuBest)`: what a request for this level actually runs.
    public var available: SIMDLevel { min(self, Self.cpuBest) }

    public var description: String {
        switch self {
        case .scalar: "scalar"
        case .avx2: "avx2"
        case .avx512: "avx512"
        }
    }

    public static func < (a: SIMDLevel, b: SIMDLevel) -> Bool { a.rawValue < b.rawValue }
}
