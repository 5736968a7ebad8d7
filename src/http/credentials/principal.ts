import type { Principal } from '../../core/index.js';

interface UserLike {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
}

export function principalFor(user: UserLike, credential: Principal['credential']): Principal {
  return { userId: user.id, email: user.email, name: user.name, roles: [...user.roles], credential };
}
