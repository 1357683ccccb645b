package main

import (
	"context"
	"errors"
	"io"
)

func cmdStart(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("start: not yet")
}
