// Domain errors for the bank live here.
