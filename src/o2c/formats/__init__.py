"""Pure parsers for bank statements and remittance advice: bytes in, frozen dataclasses out.

Every parser refuses a bad file with one `InvalidFile` that lists each problem with its line or
record number, so an operator can fix the file in one pass; no other exception escapes.
"""
