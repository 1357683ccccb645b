package s3test

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// WriteError answers with an S3 error document, which the SDK turns into an
// error whose ErrorCode is code.
func WriteError(w http.ResponseWriter, status int, code, message string) {
	body, _ := xml.Marshal(struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string
		Message   string
		RequestID string `xml:"RequestId"`
	}{Code: code, Message: message, RequestID: "s3test"})
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(xml.Header)+len(body)))
	w.WriteHeader(status)
	w.Write([]byte(xml.Header))
	w.Write(body)
}

// Fail answers every request with the S3 error code and HTTP status.
func Fail(status int, code string) Hook {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		WriteError(w, status, code, code+" (s3test)")
	}
}

// BreakAfter makes the first times GETs send their headers and n bytes of
// body, then drop the connection. Later requests are served normally.
func BreakAfter(n int64, times int) Hook {
	var mu sync.Mutex
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		mu.Lock()
		doBreak := r.Method == http.MethodGet && times > 0
		if doBreak {
			times--
		}
		mu.Unlock()
		if doBreak {
			w = Break(w, n)
		}
		next.ServeHTTP(w, r)
	}
}

// Stall sends the headers and n bytes of body, then sends nothing more until
// the client goes away.
func Stall(n int64) Hook {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		next.ServeHTTP(&stallWriter{ResponseWriter: w, n: n, done: r.Context().Done()}, r)
	}
}

// StallFirst makes the first times GETs stall until the client goes away:
// after the headers and n bytes of body or, if n < 0, before answering at
// all. Later requests are served normally, so a client that gives up on a
// stalled connection and asks again gets its answer.
func StallFirst(n int64, times int) Hook {
	var mu sync.Mutex
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		mu.Lock()
		stall := r.Method == http.MethodGet && times > 0
		if stall {
			times--
		}
		mu.Unlock()
		switch {
		case !stall:
			next.ServeHTTP(w, r)
		case n < 0:
			<-r.Context().Done()
		default:
			Stall(n)(w, r, next)
		}
	}
}

// Trickle sends every answer's body one byte at a time, every interval,
// for as long as the client reads: a connection too slow to read a large
// object in any time, which never stalls.
func Trickle(interval time.Duration) Hook {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		next.ServeHTTP(&trickleWriter{ResponseWriter: w, interval: interval, done: r.Context().Done()}, r)
	}
}

type trickleWriter struct {
	http.ResponseWriter
	interval time.Duration
	done     <-chan struct{}
}

func (t *trickleWriter) Write(p []byte) (int, error) {
	rc := http.NewResponseController(t.ResponseWriter)
	for i := range p {
		if _, err := t.ResponseWriter.Write(p[i : i+1]); err != nil {
			return i, err
		}
		rc.Flush()
		select {
		case <-time.After(t.interval):
		case <-t.done:
			return i + 1, http.ErrAbortHandler
		}
	}
	return len(p), nil
}

// Unwrap lets http.ResponseController reach the connection.
func (t *trickleWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// Break returns a ResponseWriter that passes on the headers and the first n
// bytes of the body, then drops the connection, as a reset would.
func Break(w http.ResponseWriter, n int64) http.ResponseWriter {
	return &breakWriter{ResponseWriter: w, n: n}
}

type breakWriter struct {
	http.ResponseWriter
	n      int64
	broken bool
}

func (b *breakWriter) WriteHeader(code int) {
	if !b.broken {
		b.ResponseWriter.WriteHeader(code)
	}
}

// Write pretends to succeed once the connection is gone, so that the
// handler behind it finishes quietly.
func (b *breakWriter) Write(p []byte) (int, error) {
	if b.broken {
		return len(p), nil
	}
	if int64(len(p)) < b.n {
		b.n -= int64(len(p))
		return b.ResponseWriter.Write(p)
	}
	b.ResponseWriter.Write(p[:b.n])
	b.broken = true
	// Closing the connection cuts the body short of its Content-Length.
	rc := http.NewResponseController(b.ResponseWriter)
	rc.Flush()
	if conn, _, err := rc.Hijack(); err == nil {
		conn.Close()
	}
	return len(p), nil
}

type stallWriter struct {
	http.ResponseWriter
	n       int64
	done    <-chan struct{}
	stalled bool
}

func (s *stallWriter) WriteHeader(code int) {
	if !s.stalled {
		s.ResponseWriter.WriteHeader(code)
	}
}

func (s *stallWriter) Write(p []byte) (int, error) {
	if s.stalled {
		return len(p), nil
	}
	if int64(len(p)) < s.n {
		s.n -= int64(len(p))
		return s.ResponseWriter.Write(p)
	}
	s.ResponseWriter.Write(p[:s.n])
	s.stalled = true
	http.NewResponseController(s.ResponseWriter).Flush()
	<-s.done
	return len(p), nil
}

// ChangeOnResume breaks the first GET of bucket/key off after n bytes of
// body and replaces the object with body before the second GET is served,
// as a writer racing a reader would: the resumed read must notice. Later
// requests are served normally. Install it with Hook(bucket, key, ...).
func (s *Server) ChangeOnResume(bucket, key string, n int64, body []byte) Hook {
	var mu sync.Mutex
	gets := 0
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		mu.Lock()
		if r.Method == http.MethodGet {
			gets++
		}
		get := gets
		mu.Unlock()
		switch {
		case r.Method != http.MethodGet:
		case get == 1:
			w = Break(w, n)
		case get == 2:
			if _, err := s.PutObject(bucket, key, body); err != nil {
				WriteError(w, http.StatusInternalServerError, "InternalError", err.Error())
				return
			}
		}
		next.ServeHTTP(w, r)
	}
}

// NoETag serves requests without an ETag header, as some S3-compatible
// servers do: nothing then tells two versions of an object apart.
func NoETag(w http.ResponseWriter, r *http.Request, next http.Handler) {
	next.ServeHTTP(&noETagWriter{ResponseWriter: w}, r)
}

type noETagWriter struct {
	http.ResponseWriter
	wrote bool // the header
}

func (n *noETagWriter) WriteHeader(code int) {
	if !n.wrote { // net/http ignores a second call, and logs it
		n.wrote = true
		n.Header().Del("ETag")
		n.ResponseWriter.WriteHeader(code)
	}
}

func (n *noETagWriter) Write(p []byte) (int, error) {
	n.WriteHeader(http.StatusOK) // unless written: the implicit one
	return n.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (n *noETagWriter) Unwrap() http.ResponseWriter { return n.ResponseWriter }
