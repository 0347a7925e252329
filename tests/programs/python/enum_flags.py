# enum: Enum, IntEnum, StrEnum, Flag with auto values, lookups and iteration.
import enum
from enum import Enum, Flag, IntEnum, StrEnum, auto


class Color(Enum):
    RED = 1
    GREEN = 2
    BLUE = 3
    CRIMSON = 1  # alias


class Priority(IntEnum):
    LOW = 10
    NORMAL = 20
    HIGH = 30


class Perm(Flag):
    READ = auto()
    WRITE = auto()
    EXEC = auto()
    RW = READ | WRITE


class Method(StrEnum):
    GET = auto()
    POST = auto()


class Planet(Enum):
    MERCURY = (3.303e23, 2.4397e6)
    EARTH = (5.976e24, 6.37814e6)

    def __init__(self, mass, radius):
        self.mass = mass
        self.radius = radius

    @property
    def surface_gravity(self):
        return 6.673e-11 * self.mass / (self.radius * self.radius)


print(list(Color), Color(1), Color["BLUE"], Color.CRIMSON is Color.RED, Color.RED.name, Color.RED.value)
print(list(Color.__members__), repr(Color.GREEN))
print(sorted([Priority.HIGH, Priority.LOW, Priority.NORMAL]), Priority.HIGH > 25, Priority(20), int(Priority.LOW) + 1)
rw = Perm.READ | Perm.WRITE
print(rw, Perm.RW is rw, Perm.READ in rw, Perm.EXEC in rw, list(Perm.READ | Perm.EXEC), Perm(0), bool(Perm(0)))
print(~Perm.READ, Perm.RW & ~Perm.WRITE)
print(Method.GET, Method.POST.upper(), Method("get") is Method.GET, f"{Method.POST}")
for planet in Planet:
    print(planet.name, round(planet.surface_gravity, 3))
try:
    Color(9)
except ValueError as e:
    print("ValueError:", e)


@enum.unique
class Status(Enum):
    OK = "ok"
    FAILED = "failed"


print({s.value: s.name for s in Status})
try:
    @enum.unique
    class Bad(Enum):
        A = 1
        B = 1
except ValueError as e:
    print("ValueError:", e)
Animal = Enum("Animal", "ANT BEE CAT")
print(list(Animal), Animal.BEE.value)
