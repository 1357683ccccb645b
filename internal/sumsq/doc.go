// Package sumsq computes the exact sum of the squares of newline-separated
// integers, streaming, in constant memory. It has no dependencies outside
// the standard library.
//
// # Grammar
//
// The input is split into lines at each "\n"; the last line needs no "\n",
// and an input that ends in "\n" has no empty line after it. In each line:
//
//   - one "\r" at the end of the line is dropped (CRLF input);
//   - blanks around the number are ignored: ASCII space and tab only, the
//     POSIX [:blank:] class. Vertical tab, form feed, a "\r" anywhere but
//     the end, and Unicode spaces are errors, not blanks: they do not occur
//     in files of numbers unless something else went wrong;
//   - a line that is empty after that is skipped;
//   - any other line is one number: an optional "+" or "-", then one or
//     more ASCII digits "0" to "9". Leading zeros are allowed, and "-0" is
//     zero. Underscores, decimal points, exponents, "0x" and non-ASCII
//     digits are errors.
//
// A number may have at most Accumulator.MaxDigits digits, DefaultMaxDigits
// (4300, as Python's int) unless set. Leading zeros count, as in Python, so
// a line's cost is bounded by the limit whatever its value.
//
// A UTF-8 byte order mark (EF BB BF) at the very start of the input is
// ignored and is not part of line 1. Anywhere else it is an error.
//
// The result is exact for every valid input: it equals the sum Python's
// arbitrary-precision integers give. Numbers below 2**64 are squared in
// 128 bits and summed in 192 bits, which cannot overflow for fewer than
// 2**63 numbers; larger numbers are parsed and squared with math/big.
//
// # Errors
//
// Parsing stops at the first invalid line with an *Error: its 1-based Line,
// the byte Offset where that line starts, an Excerpt of at most MaxExcerpt
// bytes of the line, and Err, which is ErrSyntax for a line that is not a
// number or ErrDigits for a number over the digit limit. The digit limit
// is checked as digits arrive: a line of a billion digits fails after the
// first MaxDigits+1 of them, and no line, valid or not, makes memory grow.
//
// Sum and Accumulator.ReadFrom also return the io.Reader's errors, never
// mistaking one for the end of the input, and never a partial Result.
//
// # Parsing ranges in parallel
//
// Result.Add combines Results exactly, counts included, so an input cut
// into byte ranges can be parsed concurrently, one Accumulator per range,
// provided each line is parsed by exactly one of them. The rule: a range
// [start, end) parses every line that starts within it. So
//
//   - a range with start > 0 begins after the first "\n" at or after
//     byte start-1 (read from start-1 and drop bytes through that "\n");
//     if that is at or past end, no line starts in the range;
//   - it stops after the first "\n" at or after byte end-1, reading past
//     end to complete its last line, or at the end of the input.
//
// Set Accumulator.Offset to the position of the range's first byte: a
// byte order mark is then not looked for, and Error.Offset is a position
// in the whole input. Error.Line is counted from the range's first line;
// add the Lines of the Results of all earlier ranges to make it a line
// number in the whole input. Because each range but the last ends with
// "\n", the Lines of the ranges add up to those of the whole input.
package sumsq
