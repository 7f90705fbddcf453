/// jinja2's tests (`x is name(args)`), with Python's type rules (a bool is a number but not an integer; a dict
/// and undefined are iterable).
extension TemplateRenderer {
    func applyTest(_ call: TemplateTestCall, to value: TemplateValue, _ scope: TemplateScope) throws(TemplateError)
        -> Bool
    {
        var args = TemplateCallArguments(try evalAll(call.arguments.positional, scope))
        for (name, e) in call.arguments.keyword { args.keyword.append((name, try eval(e, scope))) }
        guard let t = call.test else {
            throw TemplateError(.unsupported, "unsupported test '\(call.name)'", line: call.line)
        }
        return try test(t, call.name, value, args)
    }

    func test(_ t: TemplateTest, _ name: String, _ value: TemplateValue, _ args: TemplateCallArguments)
        throws(TemplateError) -> Bool
    {
        func operand() throws(TemplateError) -> TemplateValue { try args.exactly(1, name)[0] }
        func none() throws(TemplateError) { _ = try args.exactly(0, name) }
        switch t {
        case .defined: try none(); return !value.isUndefined
        case .undefined: try none(); return value.isUndefined
        case .none: try none(); if case .none = value { return true } else { return false }
        case .string: try none(); if case .string = value.plain { return true } else { return false }
        case .mapping: try none(); if case .dict = value { return true } else { return false }
        case .boolean: try none(); if case .bool = value { return true } else { return false }
        case .true: try none(); if case .bool(true) = value { return true } else { return false }
        case .false: try none(); if case .bool(false) = value { return true } else { return false }
        case .number: try none(); return value.number != nil
        case .integer: try none(); if case .int = value { return true } else { return false }
        case .float: try none(); if case .float = value { return true } else { return false }
        case .iterable, .sequence:
            // A sequence also has a length, which an iterator has not.
            try none()
            switch value {
            case .undefined, .string, .markup, .list, .tuple, .dict: return true
            case .iterator, .view: return t == .iterable
            default: return false
            }
        case .callable:
            try none()
            switch value {
            // jinja2's Undefined defines __call__ (to fail), so Python's callable() says yes.
            case .macro, .function, .method, .undefined: return true
            default: return false
            }
        case .odd, .even:
            // `value % 2 == 1`, with Python's `%` (a string formats instead, and is then never equal).
            try none()
            return try TemplateValue.equal(try binary(.modulo, value, .int(2)), .int(t == .odd ? 1 : 0))
        case .divisibleby:
            return try TemplateValue.equal(try binary(.modulo, value, try operand()), .int(0))
        case .eq: return try compare(.equal, value, try operand())
        case .ne: return try compare(.notEqual, value, try operand())
        case .lt: return try compare(.less, value, try operand())
        case .le: return try compare(.lessOrEqual, value, try operand())
        case .gt: return try compare(.greater, value, try operand())
        case .ge: return try compare(.greaterOrEqual, value, try operand())
        case .in: return try compare(.in, value, try operand())
        case .lower, .upper:
            try none()
            let s = try value.str().unicodeScalars
            var cased = false
            for u in s {
                let p = u.properties
                if (t == .lower ? p.isUppercase : p.isLowercase) || p.generalCategory == .titlecaseLetter { return false }
                if t == .lower ? p.isLowercase : p.isUppercase { cased = true }
            }
            return cased
        case .sameas:
            // Python's `is`: the singletons None/True/False, and the same namespace or loop object.
            switch (value, try operand()) {
            case (.none, .none): return true
            case let (.bool(a), .bool(b)): return a == b
            case let (.namespace(a), .namespace(b)): return a === b
            case let (.loop(a), .loop(b)): return a === b
            default: return false
            }
        case .escaped:
            try none()
            return false
        case .filter, .test:
            // `'upper' is filter`: whether the value names a filter (or test) this renderer knows.
            try none()
            guard case let .string(s) = value else { return false }
            return t == .filter ? TemplateFilter.named(s) != nil : TemplateTest.named(s) != nil
        }
    }
}
