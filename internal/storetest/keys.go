package storetest

import "strings"

// TrickyKeys are S3 keys that need care wherever keys are encoded (an S3
// Inventory's URL-encoded CSV, for one): spaces and plus signs (one encoding
// writes both as "+"), percent signs (which look encoded), slashes,
// non-ASCII, and the characters S3's object-keys.html lists as "might
// require special handling" (& $ @ = ; / : + space , ? and ASCII 0-31 and
// 127) and "to avoid" (\ { } ^ % ` ] " > [ ~ < # | and ASCII 128-255).
var TrickyKeys = []string{
	"plain.txt",
	"a b.txt",
	"a+b.txt",
	"a + b.txt",
	"++",
	"  ",
	"100%.csv",
	"100%25.csv", // a key that looks encoded
	"%2B",
	"photos/2024/summer trip/1.jpg",
	"folder/",
	"/leading/slash",
	"double//slash",
	"é/naïve café.txt",
	"한글/x.txt",
	"emoji 😀.txt",
	"&$@=;:,?",
	`\{}^` + "`" + `]">[~<#|`,
	"ctl\x01\x1f\x7f.txt",
	"tab\tnew\nline\rcr",
	`quote".csv`,
	"comma,and\"quote",
	"test_file(3).png",
	"*.!'()",
	strings.Repeat("k", 1024),
}
