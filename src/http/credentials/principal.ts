import type { Principal } from '../../core/index.js';

interface UserLike {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  createdAt?: number;
}

export function principalFor(user: UserLike, credential: Principal['credential']): Principal {
  const principal: Principal = { userId: user.id, email: user.email, name: user.name, roles: [...user.roles], credential };
  if (user.createdAt !== undefined) principal.createdAt = user.createdAt;
  return principal;
}
