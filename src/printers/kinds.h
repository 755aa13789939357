// Owns: the list of kinds with their own printer, one accessor per kind (each defined in that
// kind's file), so PrinterFor can route a resource to it.
// Does not own: the columns themselves.
#pragma once

#include "printers/printers.h"

namespace cubelet::printers {

const TablePrinter& PodPrinter();             // pod_printer.cc
const TablePrinter& NodePrinter();            // node_printer.cc
const TablePrinter& EventPrinter();           // event_printer.cc (core/v1 and events.k8s.io/v1)
const TablePrinter& NamespacePrinter();       // core_printers.cc
const TablePrinter& ServicePrinter();         // service_printer.cc
const TablePrinter& EndpointsPrinter();       // service_printer.cc
const TablePrinter& ConfigMapPrinter();       // core_printers.cc
const TablePrinter& SecretPrinter();          // core_printers.cc
const TablePrinter& ServiceAccountPrinter();  // core_printers.cc
const TablePrinter& LeasePrinter();           // cluster_printers.cc
const TablePrinter& PriorityClassPrinter();   // cluster_printers.cc
const TablePrinter& CSINodePrinter();         // cluster_printers.cc
const TablePrinter& CSIDriverPrinter();       // cluster_printers.cc
const TablePrinter& RuntimeClassPrinter();    // cluster_printers.cc
const TablePrinter& DefaultPrinter();         // printer_for.cc: NAME and AGE

}  // namespace cubelet::printers
