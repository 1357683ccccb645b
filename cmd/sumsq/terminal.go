package main

import (
	"bytes"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"golang.org/x/term"
)

// clearLine erases the terminal's current line and returns to its start.
const clearLine = "\033[2K\r"

// A terminal is where the progress bar is drawn (standard error), shared
// with the lines written to the same screen: failures, and results when
// standard output is the same terminal. A line never shares a line of the
// screen with the bar: the bar is cleared before lines are written and drawn
// again after them, under one lock, so that no draw of the bar comes
// between. The terminal keeps the bar's last drawing and writes it again itself.
type terminal struct {
	w io.Writer

	mu     sync.Mutex
	showAt time.Time // no bar before: a short run shows none
	bar    []byte    // the bar's last drawing
	shown  bool      // the bar is on the screen
	closed bool      // the run is over: no more bar
}

func newTerminal(w io.Writer) *terminal { return &terminal{w: w} }

// Write draws the bar: each drawing comes in one call.
func (t *terminal) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.bar = append(t.bar[:0], b...)
	if t.closed || time.Now().Before(t.showAt) {
		return len(b), nil
	}
	t.shown = true
	return t.w.Write(b)
}

// lines returns a writer of lines to w, a writer to the same screen as
// t.w: each write of whole lines clears the bar first and draws it again
// after. A write that ends inside a line keeps that line's start until
// its end is written.
func (t *terminal) lines(w io.Writer) io.Writer { return &lineWriter{t: t, w: w} }

type lineWriter struct {
	t    *terminal
	w    io.Writer
	part []byte // the start of a line whose end is not written yet
}

func (l *lineWriter) Write(b []byte) (int, error) {
	end := bytes.LastIndexByte(b, '\n') + 1
	if end == 0 {
		l.part = append(l.part, b...)
		return len(b), nil
	}
	out := append(l.part, b[:end]...)
	l.part = append([]byte(nil), b[end:]...)

	l.t.mu.Lock()
	defer l.t.mu.Unlock()
	if l.t.shown {
		// One write, through w: it reaches the same screen, and a
		// terminal is slow to take many small writes.
		out = slices.Concat([]byte(clearLine), out, l.t.bar)
	}
	if _, err := l.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

// close clears the bar, if shown, and draws it no more.
func (t *terminal) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.shown {
		io.WriteString(t.w, clearLine)
	}
	t.shown, t.closed = false, true
}

// width returns the width of the terminal, in columns: 80 if unknown.
func (t *terminal) width() int {
	if f, ok := t.w.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return 80
}
