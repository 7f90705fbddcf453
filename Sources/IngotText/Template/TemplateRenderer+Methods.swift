/// The Python methods templates call on strings, dicts, lists and `loop`, with Python's results.
extension TemplateRenderer {
    func callMethod(_ receiver: TemplateValue, _ name: String, _ args: TemplateCallArguments) throws(TemplateError)
        -> TemplateValue
    {
        // Methods of a Markup run on its text and give plain strings (markupsafe would keep Markup).
        switch receiver.plain {
        case let .string(s): return try stringMethod(s, name, args)
        case let .dict(d): return try dictMethod(d, name, args)
        case let .list(items), let .tuple(items):
            switch name {
            case "index", "count":
                let x = try args.exactly(1, name)[0]
                var hits = 0
                for (i, item) in items.enumerated() where try TemplateValue.equal(item, x) {
                    if name == "index" { return .int(Int64(i)) }
                    hits += 1
                }
                if name == "index" { throw TemplateError(.type, "\(try x.repr(depth: 0)) is not in list") }
                return .int(Int64(hits))
            case "copy": return receiver
            default: break
            }
        case let .loop(state) where name == "cycle":
            guard !args.positional.isEmpty else { throw TemplateError(.type, "no items for cycling given") }
            return args.positional[state.index0 % args.positional.count]
        default: break
        }
        throw TemplateError(.unsupported, "unsupported method '\(name)' of \(receiver.typeName)")
    }

    private func dictMethod(_ d: TemplateDict, _ name: String, _ args: TemplateCallArguments) throws(TemplateError)
        -> TemplateValue
    {
        switch name {
        case "get":
            let a = try args.exactlyBetween(1, 2, "get")
            if case let .string(k) = a[0], let v = d[k] { return v }
            return a.count == 2 ? a[1] : .none
        case "keys":
            _ = try args.exactly(0, name)
            return .view(TemplateDictView(kind: .keys, items: try checked(d.keys.map { .string($0) })))
        case "values":
            _ = try args.exactly(0, name)
            return .view(TemplateDictView(kind: .values, items: try checked(d.values)))
        case "items":
            _ = try args.exactly(0, name)
            return .view(TemplateDictView(kind: .items, items: try checked(d.pairs.map { .tuple([.string($0.0), $0.1]) })))
        case "copy":
            _ = try args.exactly(0, name)
            return .dict(d)
        default:
            throw TemplateError(.unsupported, "unsupported method '\(name)' of dict")
        }
    }

    /// `start`/`end` arguments of find/count/startswith: the scalars they select and where those begin.
    private func window(_ s: String, _ rest: ArraySlice<TemplateValue>) throws(TemplateError)
        -> (text: [Unicode.Scalar], offset: Int)
    {
        let a = PythonString.scalars(s)
        func bound(_ v: TemplateValue?) throws(TemplateError) -> Int? {
            v.isAbsent ? nil : try v?.intArgument("slice index")
        }
        let start = try bound(rest.first)
        let picked = PythonString.sliceIndices(
            count: a.count, start: start, stop: try bound(rest.dropFirst().first), step: 1)
        let offset = start.map { $0 < 0 ? max(0, $0 + a.count) : min($0, a.count) } ?? 0
        return (picked.map { a[$0] }, offset)
    }

    private func stringMethod(_ s: String, _ name: String, _ args: TemplateCallArguments) throws(TemplateError)
        -> TemplateValue
    {
        func optionalString(_ v: TemplateValue?) throws(TemplateError) -> String? {
            v.isAbsent ? nil : try v?.stringArgument("\(name)() argument")
        }
        switch name {
        case "strip", "lstrip", "rstrip":
            let chars = try optionalString(try args.exactlyBetween(0, 1, name).first)
            return .string(PythonString.strip(s, chars, left: name != "rstrip", right: name != "lstrip"))
        case "startswith", "endswith":
            let a = try args.exactlyBetween(1, 3, name)
            let text = try window(s, a.dropFirst()).text
            let candidates: [TemplateValue] = a[0].sequence ?? [a[0]]
            for c in candidates {
                let p = PythonString.scalars(try c.stringArgument("\(name) first arg"))
                let hit = name == "startswith" ? text.starts(with: p) : text.reversed().starts(with: p.reversed())
                if hit { return .bool(true) }
            }
            return .bool(false)
        case "split", "rsplit":
            let b = try args.bind(["sep", "maxsplit"], name)
            let sep = try optionalString(b[0])
            if sep == "" { throw TemplateError(.type, "empty separator") }
            let limit = try b[1].map { v throws(TemplateError) in try v.intArgument("maxsplit") } ?? -1
            let parts = name == "split"
                ? PythonString.split(s, sep, maxSplit: limit) : PythonString.rsplit(s, sep, maxSplit: limit)
            return .list(try checked(parts.map { .string($0) }))
        case "splitlines":
            let keep = try args.bind(["keepends"], name)[0]?.truthy ?? false
            return .list(try checked(PythonString.splitLines(s, keepEnds: keep).map { .string($0) }))
        case "upper": _ = try args.exactly(0, name); return .string(s.uppercased())
        case "lower", "casefold": _ = try args.exactly(0, name); return .string(s.lowercased())
        case "title": _ = try args.exactly(0, name); return .string(PythonString.title(s))
        case "capitalize": _ = try args.exactly(0, name); return .string(PythonString.capitalize(s))
        case "swapcase":
            _ = try args.exactly(0, name)
            var out = ""
            for u in s.unicodeScalars {
                let p = u.properties
                out += p.isUppercase ? p.lowercaseMapping : p.isLowercase ? p.uppercaseMapping : String(Character(u))
            }
            return .string(out)
        case "replace":
            let a = try args.exactlyBetween(2, 3, name)
            let count = a.count == 3 ? try a[2].intArgument("count") : -1
            return .string(try checked(PythonString.replace(
                s, try a[0].stringArgument("replace() argument 1"), try a[1].stringArgument("replace() argument 2"),
                count: count)))
        case "find", "rfind", "index", "rindex", "count":
            let a = try args.exactlyBetween(1, 3, name)
            let needle = PythonString.scalars(try a[0].stringArgument("\(name)() argument"))
            let (text, offset) = try window(s, a.dropFirst())
            if name == "count" { return .int(Int64(PythonString.occurrences(text, needle).count)) }
            let hits = (0...max(0, text.count - needle.count)).filter { i in
                i + needle.count <= text.count && text[i..<(i + needle.count)].elementsEqual(needle)
            }
            let hit = name.hasPrefix("r") ? hits.last : hits.first
            if let hit { return .int(Int64(hit + offset)) }
            if name.hasSuffix("index") { throw TemplateError(.type, "substring not found") }
            return .int(-1)
        case "join":
            let items = try args.exactly(1, name)[0].iterate()
            var parts: [String] = []
            for item in items {
                guard case let .string(p) = item else {
                    throw TemplateError(.type, "sequence item \(parts.count): expected str instance, \(item.typeName) found")
                }
                parts.append(p)
            }
            return .string(try checked(parts.joined(separator: s)))
        case "format":
            return .string(try checked(try PythonFormat.format(s, args, renderer: self)))
        case "removeprefix", "removesuffix":
            let a = PythonString.scalars(s)
            let p = PythonString.scalars(try args.exactly(1, name)[0].stringArgument("\(name)() argument"))
            if name == "removeprefix", a.starts(with: p) { return .string(PythonString.string(a.dropFirst(p.count))) }
            if name == "removesuffix", !p.isEmpty, a.reversed().starts(with: p.reversed()) {
                return .string(PythonString.string(a.dropLast(p.count)))
            }
            return .string(s)
        case "partition", "rpartition":
            let sep = try args.exactly(1, name)[0].stringArgument("\(name)() argument")
            if sep.isEmpty { throw TemplateError(.type, "empty separator") }
            let parts = name == "partition"
                ? PythonString.split(s, sep, maxSplit: 1) : PythonString.rsplit(s, sep, maxSplit: 1)
            if parts.count == 2 { return .tuple([.string(parts[0]), .string(sep), .string(parts[1])]) }
            return name == "partition"
                ? .tuple([.string(s), .string(""), .string("")]) : .tuple([.string(""), .string(""), .string(s)])
        case "isdigit", "isdecimal", "isnumeric", "isalpha", "isalnum", "isspace", "isupper", "islower", "isascii":
            _ = try args.exactly(0, name)
            return .bool(Self.classify(s, name))
        default:
            throw TemplateError(.unsupported, "unsupported method '\(name)' of str")
        }
    }

    /// Python's `str.isX()` predicates.
    private static func classify(_ s: String, _ name: String) -> Bool {
        let a = s.unicodeScalars
        if name == "isascii" { return a.allSatisfy(\.isASCII) }
        guard !a.isEmpty else { return false }
        func alpha(_ u: Unicode.Scalar) -> Bool {
            switch u.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
            default: false
            }
        }
        switch name {
        case "isdigit": return a.allSatisfy { $0.properties.numericType == .decimal || $0.properties.numericType == .digit }
        case "isdecimal": return a.allSatisfy { $0.properties.numericType == .decimal }
        case "isnumeric": return a.allSatisfy { $0.properties.numericType != nil }
        case "isalpha": return a.allSatisfy(alpha)
        case "isalnum": return a.allSatisfy { alpha($0) || $0.properties.numericType != nil }
        case "isspace": return a.allSatisfy(PythonString.isSpace)
        case "isupper", "islower":
            var cased = false
            for u in a {
                let p = u.properties
                let wrong = name == "isupper" ? p.isLowercase : p.isUppercase
                if wrong || p.generalCategory == .titlecaseLetter { return false }
                if name == "isupper" ? p.isUppercase : p.isLowercase { cased = true }
            }
            return cased
        default: return false
        }
    }
}
