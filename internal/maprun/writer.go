package maprun

import (
	"bufio"
	"context"
	"errors"
	"io"

	"github.com/sumsq/sumsq/internal/job"
)

// A linesWriter writes JSON Lines to an object as they are made: through
// an io.Pipe into the Storage's PutStream, which runs in a goroutine of its
// own and, over S3, uploads a part at a time. Memory stays what the
// Storage's streaming takes, however many lines. Nothing is stored until
// close: a writer that is aborted, or whose Storage fails, leaves the
// object as it was.
type linesWriter struct {
	key  string
	pw   *io.PipeWriter
	w    *bufio.Writer
	done chan error // PutStream's error, once
	put  error      // that error, once received
	over bool       // PutStream has returned
	err  error      // the first error of the pipe
}

// errNotWritten is what a writer's lines meet once its Storage has given
// up: the Storage's own error is close's.
var errNotWritten = errors.New("the object is no longer being written")

// newLinesWriter starts writing the object key of bucket in st.
func newLinesWriter(ctx context.Context, st job.Storage, bucket, key string) *linesWriter {
	pr, pw := io.Pipe()
	w := &linesWriter{key: key, pw: pw, w: bufio.NewWriterSize(pw, 64<<10), done: make(chan error, 1)}
	go func() {
		err := st.PutStream(ctx, bucket, key, pr)
		pr.CloseWithError(errNotWritten) // a writer blocked on the pipe gives up
		w.done <- err
	}()
	return w
}

// line writes b and a newline. Its error means the object will not be
// written: close says why.
func (w *linesWriter) line(b []byte) error {
	if w.err != nil {
		return w.err
	}
	if _, err := w.w.Write(b); err != nil {
		return w.stop(err)
	}
	if err := w.w.WriteByte('\n'); err != nil {
		return w.stop(err)
	}
	return nil
}

// stop ends a writer whose pipe failed with err.
func (w *linesWriter) stop(err error) error {
	w.err = err
	return err
}

// close ends the object and waits until it is stored: its error is the
// Storage's.
func (w *linesWriter) close() error {
	if w.err == nil {
		if err := w.w.Flush(); err != nil {
			w.err = err
		}
	}
	w.pw.Close()
	err := w.wait()
	if err == nil && w.err != nil {
		err = w.err // the pipe failed, PutStream did not: never so, but never a silent loss
	}
	return err
}

// abort ends the object unwritten, because of cause, and waits until its
// Storage has let it go.
func (w *linesWriter) abort(cause error) {
	w.pw.CloseWithError(cause)
	w.wait()
}

// wait waits until PutStream has returned, and returns its error.
func (w *linesWriter) wait() error {
	if !w.over {
		w.put, w.over = <-w.done, true
	}
	return w.put
}

// failedWriter closes w, whose line failed, and returns why, classified:
// the Storage's error.
func failedWriter(ctx context.Context, s *job.Summer, w *linesWriter, bucket string) error {
	err := w.close()
	if err == nil {
		err = errNotWritten
	}
	return s.Classify(ctx, err, bucket, w.key)
}
