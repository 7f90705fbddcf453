#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Python's numeric operators on ints and floats. Ints are 64-bit here (Python's grow without bound), so a
/// result outside that range is an error instead of a silently wrong number.
enum TemplateArithmetic {
    private static func overflow() -> TemplateError {
        TemplateError(.unsupported, "integer result outside the 64-bit range")
    }

    static func apply(_ op: TemplateBinaryOperator, _ x: TemplateNumber, _ y: TemplateNumber) throws(TemplateError)
        -> TemplateValue
    {
        if case let .int(a) = x, case let .int(b) = y { return try integer(op, a, b) }
        let a = x.double
        let b = y.double
        switch op {
        case .add: return .float(a + b)
        case .subtract: return .float(a - b)
        case .multiply: return .float(a * b)
        case .divide:
            guard b != 0 else { throw TemplateError(.type, "float division by zero") }
            return .float(a / b)
        case .floorDivide:
            guard b != 0 else { throw TemplateError(.type, "float floor division by zero") }
            return .float(floorDivide(a, b))
        case .modulo:
            guard b != 0 else { throw TemplateError(.type, "float modulo") }
            return .float(modulo(a, b))
        case .power:
            if a == 0 && b < 0 { throw TemplateError(.type, "0.0 cannot be raised to a negative power") }
            if a < 0 && b.rounded(.towardZero) != b {
                throw TemplateError(.unsupported, "complex result of a negative number to a fractional power")
            }
            let r = pow(a, b)
            if r.isInfinite && a.isFinite && b.isFinite { throw TemplateError(.type, "numerical result out of range") }
            return .float(r)
        }
    }

    private static func integer(_ op: TemplateBinaryOperator, _ a: Int64, _ b: Int64) throws(TemplateError)
        -> TemplateValue
    {
        func checked(_ r: (partialValue: Int64, overflow: Bool)) throws(TemplateError) -> TemplateValue {
            guard !r.overflow else { throw overflow() }
            return .int(r.partialValue)
        }
        switch op {
        case .add: return try checked(a.addingReportingOverflow(b))
        case .subtract: return try checked(a.subtractingReportingOverflow(b))
        case .multiply: return try checked(a.multipliedReportingOverflow(by: b))
        case .divide:
            guard b != 0 else { throw TemplateError(.type, "division by zero") }
            return .float(Double(a) / Double(b))
        case .floorDivide, .modulo:
            guard b != 0 else { throw TemplateError(.type, "integer division or modulo by zero") }
            guard !(a == .min && b == -1) else { throw overflow() }
            var q = a / b
            var r = a % b
            if r != 0 && ((r < 0) != (b < 0)) {
                q -= 1
                r += b
            }
            return .int(op == .modulo ? r : q)
        case .power:
            if b < 0 {
                guard a != 0 else { throw TemplateError(.type, "0.0 cannot be raised to a negative power") }
                return .float(pow(Double(a), Double(b)))
            }
            var result: Int64 = 1
            var base = a
            var e = b
            while e > 0 {
                if e & 1 == 1 { result = try checked(result.multipliedReportingOverflow(by: base)).intValue }
                e >>= 1
                if e > 0 { base = try checked(base.multipliedReportingOverflow(by: base)).intValue }
            }
            return .int(result)
        }
    }

    /// CPython's `float_floor_div`.
    static func floorDivide(_ a: Double, _ b: Double) -> Double {
        var mod = a.truncatingRemainder(dividingBy: b)
        var div = (a - mod) / b
        if mod != 0 && ((b < 0) != (mod < 0)) {
            mod += b
            div -= 1
        }
        if div == 0 { return (0.0).withSign(of: a / b) }
        var floorDiv = div.rounded(.down)
        if div - floorDiv > 0.5 { floorDiv += 1 }
        return floorDiv
    }

    /// CPython's `float_rem`: the result has the divisor's sign.
    static func modulo(_ a: Double, _ b: Double) -> Double {
        var mod = a.truncatingRemainder(dividingBy: b)
        if mod != 0 {
            if (b < 0) != (mod < 0) { mod += b }
        } else {
            mod = (0.0).withSign(of: b)
        }
        return mod
    }
}

extension TemplateValue {
    fileprivate var intValue: Int64 { if case let .int(i) = self { i } else { 0 } }
}

extension Double {
    fileprivate func withSign(of other: Double) -> Double { other.sign == .minus ? -Swift.abs(self) : Swift.abs(self) }
}
