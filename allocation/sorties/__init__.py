"""What is written: the allocation workbook, the public list, letters, the history."""
