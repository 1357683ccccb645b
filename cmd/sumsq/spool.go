package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
)

// spoolMemory is how many bytes of failures a spool keeps in memory before
// it moves them to a temporary file.
const spoolMemory = 1 << 20

// A spool keeps JSON values until the end of a run: in memory up to
// spoolMemory bytes, then in a temporary file, removed by close.
type spool struct {
	n   int64
	mem bytes.Buffer
	f   *os.File
	w   *bufio.Writer
}

func (s *spool) add(b []byte) error {
	if s.f == nil && s.mem.Len()+len(b) > spoolMemory {
		f, err := os.CreateTemp("", "sumsq-failed-*.jsonl")
		if err != nil {
			return err
		}
		s.f, s.w = f, bufio.NewWriter(f)
		if _, err := s.mem.WriteTo(s.w); err != nil {
			return err
		}
	}
	var w io.Writer = &s.mem
	if s.w != nil {
		w = s.w
	}
	sep := ",\n"
	if s.n == 0 {
		sep = "\n"
	}
	s.n++
	if _, err := io.WriteString(w, sep); err != nil {
		return err
	}
	_, err := w.Write(b)
	return err
}

// writeTo writes the values, separated by ",\n", to w.
func (s *spool) writeTo(w io.Writer) error {
	if s.f == nil {
		_, err := s.mem.WriteTo(w)
		return err
	}
	if err := s.w.Flush(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, s.f)
	return err
}

func (s *spool) close() {
	if s.f != nil {
		s.f.Close()
		os.Remove(s.f.Name())
	}
}
