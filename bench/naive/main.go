// Command naive is the loop a Go developer writes first to sum the squares
// of the numbers in files: bufio.Scanner, strings.TrimSpace,
// strconv.ParseInt and an int64 sum. bench/run.sh measures sumsq against
// it. It is also wrong: the square of a number of 10 digits wraps around.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

func main() {
	var total int64
	for _, name := range os.Args[1:] {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		sc := bufio.NewScanner(f)
		var sum int64
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" {
				continue
			}
			n, err := strconv.ParseInt(line, 10, 64)
			if err != nil {
				fmt.Fprintln(os.Stderr, name, err)
				os.Exit(1)
			}
			sum += n * n
		}
		if err := sc.Err(); err != nil {
			fmt.Fprintln(os.Stderr, name, err)
			os.Exit(1)
		}
		f.Close()
		fmt.Printf("%s\t%d\n", name, sum)
		total += sum
	}
	fmt.Printf("total\t%d\n", total)
}
