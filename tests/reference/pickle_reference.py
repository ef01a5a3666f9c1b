"""What the pickles of a torch archive declare, read by Python's own unpickler with every class and function
replaced by an inert placeholder (nothing is imported or run): the globals they name in order of first use, and
the bytes of their tensor storages (each key once; element sizes from torch's dtypes). Prints JSON."""
import io
import json
import pickle
import sys
import zipfile

import torch


class Placeholder:
    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return Placeholder()

    def __setstate__(self, state):
        pass

    def __setitem__(self, key, value):
        pass


class Reader(pickle.Unpickler):
    def __init__(self, data, names, storages):
        super().__init__(io.BytesIO(data))
        self.names, self.storages = names, storages

    def find_class(self, module, name):
        self.names.append(module + "." + name)
        return type(name, (Placeholder,), {"qualified": module + "." + name})

    def persistent_load(self, pid):
        kind, storage_type, key, _location, count = pid
        assert kind == "storage"
        name = storage_type.qualified.split(".")[-1]
        if name == "UntypedStorage":  # PyTorch 2.x's storage of a dtype without a typed one: counted in bytes
            self.storages[key] = count
            return Placeholder()
        dtype = getattr(torch, name)(0).dtype
        self.storages[key] = count * torch.empty(0, dtype=dtype).element_size()
        return Placeholder()


def main(path):
    archive = zipfile.ZipFile(path)
    names, storage_bytes = [], 0
    for record in archive.namelist():
        if record.endswith(".pkl") or record.endswith(".debug_pkl"):
            storages = {}
            Reader(archive.read(record), names, storages).load()
            storage_bytes += sum(storages.values())
    first_use = list(dict.fromkeys(names))
    print(json.dumps({"globals": first_use, "storage_bytes": storage_bytes}))


if __name__ == "__main__":
    main(sys.argv[1])
