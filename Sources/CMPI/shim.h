// Why this shim exists: Swift reaches Open MPI's C interface through it, and
// only NablaDistributed imports it, so the other modules never link MPI.
// Open MPI defines its handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM,
// MPI_ERRORS_RETURN, …) and MPI_IN_PLACE as macros that cast the address of a
// global object, which Swift cannot import; the nabla_mpi_* inline functions
// below hand those values to Swift.
#ifndef NABLA_CMPI_SHIM_H
#define NABLA_CMPI_SHIM_H

#include <mpi.h>

static inline MPI_Comm nabla_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype nabla_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype nabla_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype nabla_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype nabla_mpi_int32(void) { return MPI_INT32_T; }
static inline MPI_Datatype nabla_mpi_uint8(void) { return MPI_UINT8_T; }
static inline MPI_Datatype nabla_mpi_c_bool(void) { return MPI_C_BOOL; }
static inline MPI_Datatype nabla_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op nabla_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op nabla_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op nabla_mpi_lor(void) { return MPI_LOR; }
static inline MPI_Errhandler nabla_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline void *nabla_mpi_in_place(void) { return MPI_IN_PLACE; }

#endif
