package filestore_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/sumsq/sumsq/internal/filestore"
	"github.com/sumsq/sumsq/internal/job"
	"github.com/sumsq/sumsq/internal/storetest"
)

func TestConformance(t *testing.T) { storetest.Run(t, newFileFixture) }

// newFileFixture is a temporary folder; a file fails by being removed, made
// unreadable or a folder, and a stream is a FIFO.
func newFileFixture(t *testing.T) *storetest.Fixture {
	return &storetest.Fixture{
		Storage: &filestore.Store{},
		Prefix:  t.TempDir() + "/",
		Create:  func(t *testing.T, key string, data []byte) { write(t, key, string(data)) },
		Fail:    failFile,
		Stream:  fifo,
	}
}

// failFile makes the file at key fail with kind, if a file can.
func failFile(t *testing.T, key string, kind error) bool {
	switch kind {
	case job.ErrNotFound:
		return os.Remove(key) == nil
	case job.ErrDenied:
		if err := os.Chmod(key, 0); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(key)
		if err == nil {
			f.Close() // root reads it anyway
		}
		return err != nil
	case job.ErrUnreadable:
		// A folder where the file was.
		return os.Remove(key) == nil && os.Mkdir(key, 0o755) == nil
	}
	return false // a local file is never unavailable
}

// fifo makes key a FIFO that a writer fills with data, once.
func fifo(t *testing.T, key string, data []byte) {
	if err := os.MkdirAll(filepath.Dir(key), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(key, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	go func() {
		w, err := os.OpenFile(key, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close()
		w.Write(data)
	}()
	t.Cleanup(func() {
		// Lets the writer go if the FIFO was never read.
		if r, err := os.OpenFile(key, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			r.Close()
		}
	})
}
