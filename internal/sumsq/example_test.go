package sumsq_test

import (
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/sumsq/sumsq/internal/sumsq"
)

func ExampleSum() {
	r, err := sumsq.Sum(strings.NewReader("1\n-2\n\n 3 \r\n"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Count, r.Lines, r)
	// Output: 3 4 14
}

// An Accumulator takes its input in pieces split anywhere, as they arrive.
func ExampleAccumulator() {
	var a sumsq.Accumulator
	for _, piece := range []string{"12", "345678901234567890", "\n-", "1\n"} {
		if _, err := a.Write([]byte(piece)); err != nil {
			log.Fatal(err)
		}
	}
	r, err := a.Finish()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Count, r)
	// Output: 2 152415787532388367501905199875019052101
}

func ExampleError() {
	_, err := sumsq.Sum(strings.NewReader("1\n2\n3.5\n4\n"))
	var e *sumsq.Error
	if errors.As(err, &e) {
		fmt.Println(e.Line, e.Offset, e.Excerpt, errors.Is(err, sumsq.ErrSyntax))
	}
	fmt.Println(err)
	// Output:
	// 3 4 3.5 true
	// line 3 (byte 4): not an integer: "3.5"
}
