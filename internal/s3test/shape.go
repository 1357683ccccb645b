package s3test

import (
	"io"
	"net/http"
	"sync"
	"time"
)

// Shape serves every request as a distant S3 would: the first byte of the
// answer after latency, then the body at most bytesPerSecond per response
// (each connection has its own bandwidth, as each S3 GET does). A
// bytesPerSecond of 0 means no limit.
func Shape(latency time.Duration, bytesPerSecond int64) Hook {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		time.Sleep(latency)
		next.ServeHTTP(&shapedWriter{ResponseWriter: w, rate: bytesPerSecond, start: time.Now()}, r)
	}
}

// ShapeAll applies Shape to every request of the server, whatever its key.
func (s *Server) ShapeAll(latency time.Duration, bytesPerSecond int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shape = Shape(latency, bytesPerSecond)
}

type shapedWriter struct {
	http.ResponseWriter
	rate  int64
	start time.Time
	sent  int64
}

// Write sends p in pieces, sleeping so that the body never runs ahead of
// the rate since the first byte.
func (s *shapedWriter) Write(p []byte) (int, error) {
	if s.rate <= 0 {
		return s.ResponseWriter.Write(p)
	}
	const piece = 32 << 10
	n := 0
	for len(p) > 0 {
		k := min(len(p), piece)
		if ahead := time.Duration(s.sent+int64(k))*time.Second/time.Duration(s.rate) - time.Since(s.start); ahead > 0 {
			time.Sleep(ahead)
		}
		m, err := s.ResponseWriter.Write(p[:k])
		n += m
		s.sent += int64(m)
		if err != nil {
			return n, err
		}
		p = p[k:]
	}
	return n, nil
}

// ReadFrom copies r through Write with a pooled buffer: the server's own
// io.Copy would allocate one for every response, and a benchmark of many
// small objects would measure that.
func (s *shapedWriter) ReadFrom(r io.Reader) (int64, error) {
	buf := copyBuffers.Get().(*[32 << 10]byte)
	defer copyBuffers.Put(buf)
	var n int64
	for {
		k, err := r.Read(buf[:])
		if k > 0 {
			m, werr := s.Write(buf[:k])
			n += int64(m)
			if werr != nil {
				return n, werr
			}
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

var copyBuffers = sync.Pool{New: func() any { return new([32 << 10]byte) }}
