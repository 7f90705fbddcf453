import IngotFormat

extension Transformer {
    /// y[rows, out] = x[rows, in] · Wᵀ (+ b), W a Linear weight stored [out, in]; y rows `ldc` apart.
    func linear(_ name: String, input x: UnsafePointer<Float>, rows: Int, inWidth: Int, outWidth: Int,
                into y: UnsafeMutablePointer<Float>, ldc: Int, bias: [Float]?) throws {
        inputObserver?(name, x, rows, inWidth)
        // The matrix as stored, when the provider lends it: one token (a decoding step) multiplies it directly when
        // the kernel takes its dtype; several (a prefill) decode it in panels of rows, each multiplied at once.
        if try weights.withStoredMatrix(name, { m -> Bool in
            guard m.rows == outWidth, m.cols == inWidth else {
                throw ModelError.shapeMismatch(tensor: name, expected: [outWidth, inWidth], found: [m.rows, m.cols])
            }
            if rows == 1, !multiRow {
                return MatVec.run(m, x: x, y: y, threads: threads, activations: decodeActivations, scratch: ws.quantized)
            }
            try panelProduct(m, name: name, input: x, rows: rows, into: y, ldc: ldc)
            return true
        }) == true {
            if let bias { addRows(bias, to: y, rows: rows, width: outWidth, ld: ldc) }
            return
        }
        BLAS.setThreads(threads)
        // A matrix larger than `chunkElements` (an output head: 128k × 4096 is 2 GiB in f32) is decoded and multiplied
        // in blocks of rows, so prefill never holds it whole in f32; each block is its own sgemm into its columns of y.
        if rows > 1, outWidth * inWidth > chunkElements {
            let step = max(1, chunkElements / inWidth)
            var r0 = 0
            while r0 < outWidth {
                let r1 = min(outWidth, r0 + step)
                try weights.withRowRange(name, r0..<r1) { wp in
                    guard wp.count == (r1 - r0) * inWidth, let base = wp.baseAddress else {
                        throw ModelError.shapeMismatch(tensor: name, expected: [outWidth, inWidth], found: [wp.count])
                    }
                    BLAS.gemmNT(m: rows, n: r1 - r0, k: inWidth, a: x, lda: inWidth, b: base, ldb: inWidth, c: y + r0, ldc: ldc)
                }
                r0 = r1
            }
            if let bias { addRows(bias, to: y, rows: rows, width: outWidth, ld: ldc) }
            return
        }
        try weights.withMatrix(name) { w in
            guard w.count == outWidth * inWidth, let base = w.baseAddress else {
                throw ModelError.shapeMismatch(tensor: name, expected: [outWidth, inWidth], found: [w.count])
            }
            if rows == 1 {
                BLAS.gemv(m: outWidth, n: inWidth, a: base, lda: inWidth, x: x, y: y)
            } else {
                BLAS.gemmNT(m: rows, n: outWidth, k: inWidth, a: x, lda: inWidth, b: base, ldb: inWidth, c: y, ldc: ldc)
            }
        }
        if let bias { addRows(bias, to: y, rows: rows, width: outWidth, ld: ldc) }
    }

    /// y[t, out] = x[t, in] · Wᵀ for a stored W [out, in], in panels of rows (`Workspace.panels`): each worker decodes
    /// a panel into its own scratch, small enough to stay in its core's L2 cache, and multiplies it there with a
    /// single-threaded sgemm into the panel's columns of y. Decoding a whole matrix first wrote it out to memory
    /// and read it back (13 % of a SmolLM2 prefill's CPU time), and OpenBLAS's own threads spun beside the decoding
    /// threads. Panel boundaries depend only on the matrix shape, never on the thread count, so results do not either.
    private func panelProduct(_ m: StoredMatrix, name: String, input x: UnsafePointer<Float>, rows t: Int,
                              into y: UnsafeMutablePointer<Float>, ldc: Int) throws {
        let plan = Workspace.panels(rows: m.rows, cols: m.cols)
        let rowBytes = m.bytes.count / m.rows
        guard rowBytes * m.rows == m.bytes.count, let base = m.bytes.baseAddress else {
            throw ModelError.load(tensor: name, reason: "\(m.bytes.count) bytes do not split into \(m.rows) rows")
        }
        // f32 rows aligned for Float are multiplied where they lie; anything else is decoded by the one codec.
        let direct = m.dtype == .f32 && rowBytes == 4 * m.cols && Int(bitPattern: base) % MemoryLayout<Float>.alignment == 0
        var layouts: [Int: TensorLayout] = [:]
        if !direct {
            for n in Set([plan.rows, m.rows - (plan.count - 1) * plan.rows]) {
                do { layouts[n] = try TensorLayout(name: name, dtype: m.dtype, shape: [n, m.cols], groupSize: m.groupSize) } catch {
                    throw ModelError.load(tensor: name, reason: error.description)
                }
            }
        }
        ws.panel.reserve(threads * plan.rows * m.cols)
        let scratch = ws.panel.pointer, stride = plan.rows * m.cols, k = m.cols
        let failure = ErrorBox()
        BLAS.setThreads(1)
        Parallel.pooled(plan.count, threads: threads) { p, w in
            let r0 = p * plan.rows, n = min(plan.rows, m.rows - r0)
            let b: UnsafePointer<Float>
            if direct {
                b = (base + r0 * rowBytes).assumingMemoryBound(to: Float.self)
            } else {
                let out = scratch + w * stride
                guard let layout = layouts[n] else { return failure.set(ModelError.load(tensor: name, reason: "no layout for \(n) rows")) }
                do {
                    try BlockCodec.decode(UnsafeRawBufferPointer(start: base + r0 * rowBytes, count: n * rowBytes), layout: layout,
                                          into: UnsafeMutableBufferPointer(start: out, count: n * k), name: name, threads: 1)
                } catch {
                    return failure.set(ModelError.load(tensor: name, reason: "\(error)"))
                }
                b = UnsafePointer(out)
            }
            BLAS.gemmNT(m: t, n: n, k: k, a: x, lda: k, b: b, ldb: k, c: y + r0, ldc: ldc)
        }
        if let e = failure.error { throw e }
    }

    /// y[rows, out] = x[rows, in] · W + b, W a GPT-2 Conv1D weight stored [in, out].
    func conv1D(_ name: String, input x: UnsafePointer<Float>, rows: Int, inWidth: Int, outWidth: Int,
                into y: UnsafeMutablePointer<Float>, ldc: Int, bias: [Float]) throws {
        inputObserver?(name, x, rows, inWidth)
        BLAS.setThreads(threads)
        try weights.withMatrix(name) { w in
            guard w.count == outWidth * inWidth, let base = w.baseAddress else {
                throw ModelError.shapeMismatch(tensor: name, expected: [inWidth, outWidth], found: [w.count])
            }
            if rows == 1 {
                BLAS.gemv(transposed: true, m: inWidth, n: outWidth, a: base, lda: outWidth, x: x, y: y)
            } else {
                BLAS.gemmNN(m: rows, n: outWidth, k: inWidth, a: x, lda: inWidth, b: base, ldb: outWidth, c: y, ldc: ldc)
            }
        }
        addRows(bias, to: y, rows: rows, width: outWidth, ld: ldc)
    }

    /// Adds `b` to each of `rows` rows of `y`. The product and the bias are summed in this order (not folded into
    /// sgemm's beta), as torch's addmm does.
    func addRows(_ b: [Float], to y: UnsafeMutablePointer<Float>, rows: Int, width: Int, ld: Int) {
        b.withUnsafeBufferPointer { bp in
            for r in 0..<rows {
                let yr = y + r * ld
                for j in 0..<width { yr[j] += bp[j] }
            }
        }
    }

    /// The residual connection: x += out over [T, hidden].
    /// x += out over rows `from ..< t`.
    func addResidual(tokens t: Int, from: Int = 0) {
        let x = ws.x.pointer, o = ws.out.pointer
        for i in (from * config.hiddenSize)..<(t * config.hiddenSize) { x[i] += o[i] }
    }
}
