// Value type tags (OPA's order: null < boolean < number < string < array < object < set)
// and number representations, shared by every runtime file.
export const T_NULL: u8 = 1;
export const T_BOOLEAN: u8 = 2;
export const T_NUMBER: u8 = 3;
export const T_STRING: u8 = 4;
export const T_ARRAY: u8 = 5;
export const T_OBJECT: u8 = 6;
export const T_SET: u8 = 7;

// Number representations (byte 1 of a number).
export const N_INT: u8 = 0;
export const N_FLOAT: u8 = 1;
export const N_REF: u8 = 2; // decimal text kept verbatim (@4 len, @8 ptr)

