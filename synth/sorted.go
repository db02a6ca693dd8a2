package synth

import "slices"

// InsertSorted inserts s into list, which is sorted and distinct, and
// returns the list, still sorted and distinct: list itself when it holds s
// already. It may write into list's backing array, as append does.
func InsertSorted(list []string, s string) []string {
	i, found := slices.BinarySearch(list, s)
	if found {
		return list
	}
	return slices.Insert(list, i, s)
}

// UnionSorted merges two sorted, distinct lists into a new sorted, distinct
// list.
func UnionSorted(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}
