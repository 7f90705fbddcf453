// IngotQuant: block quantization (q8_0, q4_0, q4_1). See specs/quant.md.
