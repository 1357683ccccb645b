// Package sampledata makes input of the kind the job was first written for:
// files named random_1.log, random_2.log, ... that hold mostly one small
// number each, and sometimes several. The output depends only on the
// options, so a seed reproduces a data set byte for byte.
package sampledata

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// Defaults used where an Options field is zero.
const (
	DefaultFiles      = 10
	DefaultMaxNumbers = 5
)

// Options say what to generate. The zero value gives DefaultFiles files of
// one number in [0, 0] each; set Max for a useful range.
type Options struct {
	Files int // files to write; 0 means DefaultFiles

	// Min and Max bound the values, inclusive. Ignored when Digits > 0.
	Min, Max int64

	// Digits, when positive, makes every value a positive number of exactly
	// that many digits, for data whose squares overflow any fixed width.
	Digits int

	// Several is the fraction of files (0 to 1) that hold more than one
	// number: from 2 to MaxNumbers of them. The others hold exactly one.
	Several    float64
	MaxNumbers int // 0 means DefaultMaxNumbers

	// Seed selects the data set: a PCG generator seeded with (Seed, 0).
	Seed uint64
}

// Validate reports whether o describes something that can be generated.
func (o Options) Validate() error {
	switch {
	case o.Files < 0:
		return errors.New("sampledata: negative number of files")
	case o.Digits < 0:
		return errors.New("sampledata: negative number of digits")
	case o.Digits == 0 && o.Min > o.Max:
		return fmt.Errorf("sampledata: min %d is greater than max %d", o.Min, o.Max)
	case !(o.Several >= 0 && o.Several <= 1): // also rejects NaN
		return fmt.Errorf("sampledata: fraction of files with several numbers %v is not between 0 and 1", o.Several)
	case o.MaxNumbers < 0 || o.MaxNumbers == 1:
		return fmt.Errorf("sampledata: max numbers per file %d: want 2 or more (0 for the default)", o.MaxNumbers)
	}
	return nil
}

func (o Options) files() int {
	if o.Files == 0 {
		return DefaultFiles
	}
	return o.Files
}

func (o Options) maxNumbers() int {
	if o.MaxNumbers == 0 {
		return DefaultMaxNumbers
	}
	return o.MaxNumbers
}

// Name returns the name of the i-th file, counting from 1.
func Name(i int) string { return "random_" + strconv.Itoa(i) + ".log" }

// A Generator produces the files of one data set in order.
type Generator struct {
	opts Options
	rng  *rand.Rand
	next int // files produced so far
}

// NewGenerator returns a generator for o, which must be valid.
func NewGenerator(o Options) (*Generator, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return &Generator{opts: o, rng: rand.New(rand.NewPCG(o.Seed, 0))}, nil
}

// Next returns the name and content of the next file, and false after the
// last one. Every number is on its own line, each line ends in "\n".
func (g *Generator) Next() (name string, content []byte, ok bool) {
	if g.next >= g.opts.files() {
		return "", nil, false
	}
	g.next++
	n := 1
	if g.opts.Several > 0 && g.rng.Float64() < g.opts.Several {
		n = 2 + g.rng.IntN(g.opts.maxNumbers()-1)
	}
	var b bytes.Buffer
	for range n {
		b.Write(g.number())
		b.WriteByte('\n')
	}
	return Name(g.next), b.Bytes(), true
}

// number returns one value in decimal.
func (g *Generator) number() []byte {
	if d := g.opts.Digits; d > 0 {
		b := make([]byte, d)
		b[0] = '1' + byte(g.rng.IntN(9))
		for i := 1; i < d; i++ {
			b[i] = '0' + byte(g.rng.IntN(10))
		}
		return b
	}
	// The width of [Min, Max] may not fit in an int64, but always fits in
	// a uint64; a full-width range needs no bound at all.
	width := uint64(g.opts.Max) - uint64(g.opts.Min)
	var off uint64
	if width == ^uint64(0) {
		off = g.rng.Uint64()
	} else {
		off = g.rng.Uint64N(width + 1)
	}
	return strconv.AppendInt(nil, int64(uint64(g.opts.Min)+off), 10)
}

// WriteDir writes the data set described by o into dir, creating dir if
// needed and replacing files of the same names. It returns the number of
// files and of numbers written.
func WriteDir(dir string, o Options) (files, numbers int, err error) {
	g, err := NewGenerator(o)
	if err != nil {
		return 0, 0, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, 0, err
	}
	for {
		name, content, ok := g.Next()
		if !ok {
			return files, numbers, nil
		}
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o644); err != nil {
			return files, numbers, err
		}
		files++
		numbers += bytes.Count(content, []byte{'\n'})
	}
}
