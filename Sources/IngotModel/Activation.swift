#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import IngotFamilies
import IngotFormat
internal import CIngotKernels

extension Activation {
    /// Applies the activation in place.
    func apply(_ x: UnsafeMutableBufferPointer<Float>) {
        switch self {
        case .silu:
            for i in x.indices { let v = x[i]; x[i] = v / (1 + ingot_expf(-v)) }
        case .geluTanh:
            // √(2/π) rounded to f32, as transformers' NewGELUActivation computes it in the tensor's dtype.
            let c: Float = 0.7978845608028654
            for i in x.indices { let v = x[i]; x[i] = 0.5 * v * (1 + tanhf(c * (v + 0.044715 * v * v * v))) }
        case .gelu:
            for i in x.indices { let v = x[i]; x[i] = 0.5 * v * (1 + erff(v * 0.7071067811865476)) }
        }
    }

    /// silu(gate) · up, written into `gate`: SwiGLU's gating without a second buffer. SiLU runs in C over `threads`
    /// threads (the same operations per element, so the same bits as the loop below).
    func applyGated(_ gate: UnsafeMutableBufferPointer<Float>, up: UnsafeBufferPointer<Float>, threads: Int = 1) {
        if self == .silu, let g = gate.baseAddress, let u = up.baseAddress, up.count >= gate.count {
            ingot_silu_gated(g, u, gate.count, Int32(threads), KernelPath.best.simdFlag)
            return
        }
        apply(gate)
        for i in gate.indices { gate[i] *= up[i] }
    }
}
